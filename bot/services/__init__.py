"""Use-cases over the study domain and the database; the front ends call only these.

One module per group of use-cases, so each can grow without touching the others.
"""
from bot.services.study import AnswerReceipt, BankLoad, Clock, Study, load_bank

__all__ = ["AnswerReceipt", "BankLoad", "Clock", "Study", "load_bank"]
