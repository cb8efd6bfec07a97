"""The fiber-link engine: pure Python, no Django. The one place where optics rules live."""
