"""Ozon Seller API methods, one module per area; importing this package fills ``ROUTES``."""

from . import account, carriages, chats, exemplars, feedback, labels, postings, products, returns, shipping
from .base import ROUTES, Ctx, Raw, Route

__all__ = [
    "ROUTES",
    "Ctx",
    "Raw",
    "Route",
    "account",
    "carriages",
    "chats",
    "exemplars",
    "feedback",
    "labels",
    "postings",
    "products",
    "returns",
    "shipping",
]
