"""The HTTP surface. Each module is one resource; ``app.py`` lists them."""
