"""Pure figure builders: DataFrame in, go.Figure out, one template for all."""
