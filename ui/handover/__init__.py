"""The handover screen: parcels to the carrier, carriages and acts, rFBS delivery steps."""
