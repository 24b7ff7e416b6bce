"""Drawing: a Scene of panels turns a training History into frames; a VideoWriter encodes them."""
