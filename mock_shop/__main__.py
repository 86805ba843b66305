"""``python -m mock_shop run``: the same as the ``mock-shop`` console script."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="mock-shop")
