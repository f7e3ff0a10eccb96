"""The portfolio tab: the pages Teams shows as a personal tab ("Portfölj") and as a channel tab
for one e-area, served by Styra's own aiohttp app (app.py routes them to `pages.TabPages`).

- access.py: what a person may see, asked of the stored roles (one function);
- pages.py: the request handlers (who is asking, the access rule, one storage call, render);
- views.py: storage rows -> the pages' view data in the reader's language;
- link.py: the signed link the chat hands out (`portfölj` -> "Öppna portföljvyn").
"""
