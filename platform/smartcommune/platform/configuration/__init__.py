"""What a commune template configures where no domain table fits: enabled modules and catalogues."""
