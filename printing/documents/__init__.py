"""The documents Packdesk prints, each as a list of `printing.layout.Page`s."""
