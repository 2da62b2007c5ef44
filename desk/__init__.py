"""The coordinators' web desk (工作台): server-rendered pages over `dispatch/`, never `bot/`.

Staff sign in with the one-time link the bot sends for `/desk`; every page and action asks the
same domain functions and rules as the chat, so a ticket handled here is handled everywhere.
"""
