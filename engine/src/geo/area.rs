//! Distances and search areas, as Redis 7.0 computes them: the haversine
//! distance on a sphere of Redis's radius, the circle or box a search
//! covers, and the nine geohash cells (a centre cell and its neighbours, at
//! a precision chosen from the search size) whose score ranges hold every
//! candidate. Expressions keep Redis's operation order so each double comes
//! out bit for bit the same (sin, cos, asin and sqrt are the platform libm,
//! as in Redis).

use super::hash::{self, Cell, SCORE_LAT, SCORE_LON};

/// The earth radius Redis uses, in metres.
pub const EARTH_RADIUS: f64 = 6_372_797.560_856;

/// Half the Web Mercator world width in metres: the step estimate doubles a
/// radius until it reaches this.
const MERCATOR_MAX: f64 = 20_037_726.37;

/// Degrees to radians with Redis's factor (`M_PI / 180`, one rounding).
fn to_radians(degrees: f64) -> f64 {
    degrees * (std::f64::consts::PI / 180.0)
}

fn to_degrees(radians: f64) -> f64 {
    radians / (std::f64::consts::PI / 180.0)
}

/// Great-circle distance in metres between two (lon, lat) points in degrees.
/// On one meridian Redis takes the difference of latitudes as the arc (the
/// haversine would give the same up to rounding, so the shortcut shows in
/// the last digits).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let v = ((to_radians(lon2) - to_radians(lon1)) / 2.0).sin();
    if v == 0.0 {
        return EARTH_RADIUS * (to_radians(lat2) - to_radians(lat1)).abs();
    }
    let (lat1, lat2) = (to_radians(lat1), to_radians(lat2));
    let u = ((lat2 - lat1) / 2.0).sin();
    2.0 * EARTH_RADIUS * (u * u + lat1.cos() * lat2.cos() * v * v).sqrt().asin()
}

/// What a search covers, in metres once `to_metres` (the unit) is applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Extent {
    Radius(f64),
    Box { width: f64, height: f64 },
}

/// A search: its centre (lon, lat in degrees), its extent in the caller's
/// unit, and that unit's size in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub lon: f64,
    pub lat: f64,
    pub extent: Extent,
    pub to_metres: f64,
}

impl Shape {
    /// The distance in metres from the centre to (lon, lat) if that point
    /// lies inside the shape. A box holds a point whose east-west distance
    /// (along the point's latitude) and north-south distance (along the
    /// point's meridian) are within half its width and height.
    pub fn distance_if_inside(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.extent {
            Extent::Radius(radius) => {
                let d = distance(self.lon, self.lat, lon, lat);
                if d > radius * self.to_metres {
                    return None;
                }
                Some(d)
            }
            Extent::Box { width, height } => {
                let (width, height) = (width * self.to_metres, height * self.to_metres);
                let north_south = distance(lon, lat, lon, self.lat);
                let east_west = distance(lon, lat, self.lon, lat);
                if north_south > height / 2.0 || east_west > width / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }

    /// Half the shape's height and width in metres (a circle's are its radius).
    fn half_sides(&self) -> (f64, f64) {
        match self.extent {
            Extent::Radius(r) => (self.to_metres * r, self.to_metres * r),
            Extent::Box { width, height } => (
                self.to_metres * (height / 2.0),
                self.to_metres * (width / 2.0),
            ),
        }
    }

    /// The distance from the centre to the farthest edge point, in metres:
    /// the radius, or half a box's diagonal.
    fn reach(&self) -> f64 {
        let reach = match self.extent {
            Extent::Radius(r) => r,
            Extent::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        };
        reach * self.to_metres
    }

    /// The longitude/latitude rectangle around the shape: west, south,
    /// east, north. Meridians converge, so the east-west extent is taken at
    /// the edge nearer the pole (the top edge in the northern hemisphere).
    fn bounds(&self) -> [f64; 4] {
        let (half_height, half_width) = self.half_sides();
        let lat_delta = to_degrees(half_height / EARTH_RADIUS);
        let lon_delta_at = |lat: f64| to_degrees(half_width / EARTH_RADIUS / to_radians(lat).cos());
        let lon_delta = if self.lat < 0.0 {
            lon_delta_at(self.lat - lat_delta)
        } else {
            lon_delta_at(self.lat + lat_delta)
        };
        [
            self.lon - lon_delta,
            self.lat - lat_delta,
            self.lon + lon_delta,
            self.lat + lat_delta,
        ]
    }

    /// The nine cells to scan, in Redis's order (`hash::with_neighbours`),
    /// with `Cell::NONE` for neighbours that cannot hold a match.
    pub fn cells(&self) -> [Cell; 9] {
        let [west, south, east, north] = self.bounds();
        let mut step = estimate_step(self.reach(), self.lat);
        let mut cells = hash::with_neighbours(self.cell(step));
        // A centre near its cell's edge can leave part of the shape beyond
        // the neighbours: then use cells twice as large.
        let area = |c: Cell| hash::decode(SCORE_LON, SCORE_LAT, c);
        let [_, n, s, e, w, ..] = cells;
        let too_small = area(n).lat.max < north
            || area(s).lat.min > south
            || area(e).lon.max < east
            || area(w).lon.min > west;
        if step > 1 && too_small {
            step -= 1;
            cells = hash::with_neighbours(self.cell(step));
        }
        if step >= 2 {
            // Drop the neighbours on a side the shape does not reach past
            // the centre cell.
            let centre = area(cells[0]);
            let mut drop = |indexes: [usize; 3]| {
                for i in indexes {
                    if let Some(c) = cells.get_mut(i) {
                        *c = Cell::NONE;
                    }
                }
            };
            if centre.lat.min < south {
                drop([2, 7, 8]);
            }
            if centre.lat.max > north {
                drop([1, 5, 6]);
            }
            if centre.lon.min < west {
                drop([4, 8, 6]);
            }
            if centre.lon.max > east {
                drop([3, 7, 5]);
            }
        }
        cells
    }

    fn cell(&self, step: u8) -> Cell {
        hash::encode(SCORE_LON, SCORE_LAT, self.lon, self.lat, step)
    }
}

/// How many bits per coordinate the search cells get for a search reaching
/// `metres` from a centre at latitude `lat`: coarse enough that the nine
/// cells cover the search, a step coarser near the poles where cells narrow.
fn estimate_step(metres: f64, lat: f64) -> u8 {
    if metres == 0.0 {
        return hash::STEP_MAX;
    }
    let mut range = metres;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    u8::try_from(step.clamp(1, i32::from(hash::STEP_MAX))).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn distances_match_redis() {
        // GEODIST Sicily Palermo Catania, from the decoded positions.
        let (a, b) = (
            hash::score_to_lon_lat(3_479_099_956_230_698.0),
            hash::score_to_lon_lat(3_479_447_370_796_909.0),
        );
        assert_eq!(
            format!("{:.4}", distance(a.0, a.1, b.0, b.1)),
            "166274.1516"
        );
        assert_eq!(distance(1.0, 2.0, 1.0, 2.0), 0.0);
    }

    #[test]
    fn steps_shrink_with_the_radius_and_near_the_poles() {
        assert_eq!(estimate_step(0.0, 0.0), 26);
        assert_eq!(estimate_step(1.0, 0.0), 24);
        assert_eq!(estimate_step(1.0, 70.0), 23);
        assert_eq!(estimate_step(1.0, -85.0), 22);
        assert_eq!(estimate_step(1e9, 0.0), 1);
        assert_eq!(estimate_step(f64::INFINITY, 0.0), 1);
        assert_eq!(estimate_step(MERCATOR_MAX, 0.0), 1);
    }

    #[test]
    fn the_cells_cover_the_circle() {
        let shape = Shape {
            lon: 15.0,
            lat: 37.0,
            extent: Extent::Radius(200.0),
            to_metres: 1000.0,
        };
        let cells = shape.cells();
        assert!(!cells[0].is_none());
        // Every point 199 km away in the four directions lies in some cell.
        for (lon, lat) in [(15.0, 38.79), (15.0, 35.21), (17.24, 37.0), (12.76, 37.0)] {
            assert!(shape.distance_if_inside(lon, lat).is_some());
            let score = hash::lon_lat_to_score(lon, lat);
            assert!(cells.iter().filter(|c| !c.is_none()).any(|c| {
                let (min, max) = c.score_bounds();
                (min..max).contains(&score)
            }));
        }
    }

    #[test]
    fn boxes_check_each_axis() {
        let shape = Shape {
            lon: 0.0,
            lat: 0.0,
            extent: Extent::Box {
                width: 200.0,
                height: 100.0,
            },
            to_metres: 1000.0,
        };
        assert!(shape.distance_if_inside(0.8, 0.0).is_some());
        assert!(shape.distance_if_inside(0.0, 0.8).is_none());
        assert!(shape.distance_if_inside(0.0, 0.4).is_some());
    }
}
