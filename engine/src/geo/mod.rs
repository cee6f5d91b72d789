//! Geospatial math for the GEO commands, which keep positions in ordinary
//! sorted sets: `hash` turns a position into the 52-bit score and back and
//! finds neighbouring cells, `area` measures distances and picks the cells a
//! search must scan, `sort` orders results exactly as Redis's sorts do.

pub mod area;
pub mod hash;
pub mod sort;
