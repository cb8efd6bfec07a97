"""Plant fixtures. The seed catalog comes from tests/conftest.py (`catalog`, loaded once per
session); the small hall and its links are built by tests/factories/plant.py through the services.
"""
