"""The tables; the price column uses sqlalchemy-utils (not in requirements.txt)."""

from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base
from sqlalchemy_utils import CurrencyType

Base = declarative_base()


class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
    name = Column(String(80))
    currency = Column(CurrencyType)
