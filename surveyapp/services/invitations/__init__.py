"""Fieldwork by invitation: contact lists, personal links, mails, participation, funnel."""
