"""Returns at the desk: the list (FBS/FBO returns and rFBS requests together), the decision screen,
receiving a parcel and exchanges. Ozon's statuses and the deadline rule live in app.domain.returns."""
