"""Statistics of raster cells per unit: moments, distinct values and quantiles, class areas."""
