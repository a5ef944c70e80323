"""The kernel: errors, configuration records, finding identity, enums. Imports nothing of the
product; collectors and rules import only this.
"""
