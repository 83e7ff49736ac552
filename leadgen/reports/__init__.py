"""Reports: which sources, campaigns and articles bring leads that book."""
