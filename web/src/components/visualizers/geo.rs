//! A geo set (a sorted set whose scores are geohashes) plotted by longitude
//! and latitude on an equirectangular map, zoomed to the members with a
//! margin, with a graticule every 30 degrees for orientation, and the
//! circle or box the last GEOSEARCH / GEORADIUS searched.

use yew::prelude::*;

use super::flash;
use crate::state::keys::shown;
use crate::state::query::{Center, Query, Shape, METRES_PER_DEGREE};
use crate::state::selection::Marks;

#[derive(Properties, PartialEq)]
pub struct GeoProps {
    /// Member, longitude, latitude.
    pub points: Vec<(Vec<u8>, f64, f64)>,
    pub query: Option<Query>,
    pub marks: Marks,
}

/// The searched area's centre and half-extents in degrees (longitude
/// degrees shrink with the cosine of the latitude), if the last command
/// searched this set.
fn searched(props: &GeoProps) -> Option<(f64, f64, Shape, f64, f64)> {
    let Some(Query::Area { center, shape }) = &props.query else {
        return None;
    };
    let (lon, lat) = match center {
        Center::At { lon, lat } => (*lon, *lat),
        Center::Member(name) => props
            .points
            .iter()
            .find(|(m, _, _)| m == name)
            .map(|(_, lon, lat)| (*lon, *lat))?,
    };
    let (half_w, half_h) = match shape {
        Shape::Radius(r) => (*r, *r),
        Shape::Box { width, height } => (width / 2.0, height / 2.0),
    };
    let dlat = half_h / METRES_PER_DEGREE;
    let dlon = half_w / (METRES_PER_DEGREE * lat.to_radians().cos().max(0.01));
    Some((lon, lat, *shape, dlon, dlat))
}

#[function_component(GeoView)]
pub fn geo_view(props: &GeoProps) -> Html {
    let fold = |f: fn(&(Vec<u8>, f64, f64)) -> f64, pick: fn(f64, f64) -> f64, start: f64| {
        props.points.iter().map(f).fold(start, pick)
    };
    // The box around the members, at least 2 degrees and 2:1, in the world.
    let area = searched(props);
    // The map frames the members and the searched area.
    let (mut lon0, mut lon1) = (
        fold(|p| p.1, f64::min, 180.0),
        fold(|p| p.1, f64::max, -180.0),
    );
    let (mut lat0, mut lat1) = (
        fold(|p| p.2, f64::min, 90.0),
        fold(|p| p.2, f64::max, -90.0),
    );
    if let Some((lon, lat, _, dlon, dlat)) = area {
        lon0 = lon0.min(lon - dlon);
        lon1 = lon1.max(lon + dlon);
        lat0 = lat0.min(lat - dlat);
        lat1 = lat1.max(lat + dlat);
    }
    let width = ((lon1 - lon0) * 1.3)
        .max((lat1 - lat0) * 2.6)
        .clamp(2.0, 360.0);
    let height = width / 2.0;
    let west = ((lon0 + lon1) / 2.0 - width / 2.0).clamp(-180.0, 180.0 - width);
    let north = ((lat0 + lat1) / 2.0 + height / 2.0).clamp(-90.0 + height, 90.0);
    let x = |lon: f64| (lon - west) / width * 200.0;
    let y = |lat: f64| (north - lat) / height * 100.0;
    let r = 1.8;
    html! {
        <div class="viz-geo">
            <svg class="geo-map" viewBox="0 0 200 100" role="img" aria-label="members on a map">
                <rect class="geo-sea" x="0" y="0" width="200" height="100" />
                { for (-6..=6).map(|i| f64::from(i) * 30.0).map(|lon| html! {
                    <line class="graticule" x1={format!("{:.2}", x(lon))} y1="0" x2={format!("{:.2}", x(lon))} y2="100" />
                }) }
                { for (-3..=3).map(|i| f64::from(i) * 30.0).map(|lat| html! {
                    <line class="graticule" x1="0" y1={format!("{:.2}", y(lat))} x2="200" y2={format!("{:.2}", y(lat))} />
                }) }
                if let Some((lon, lat, shape, dlon, dlat)) = area {
                    if let Shape::Radius(_) = shape {
                        <ellipse class="geo-search" cx={format!("{:.2}", x(lon))} cy={format!("{:.2}", y(lat))}
                            rx={format!("{:.2}", dlon / width * 200.0)} ry={format!("{:.2}", dlat / height * 100.0)} />
                    } else {
                        <rect class="geo-search" x={format!("{:.2}", x(lon - dlon))} y={format!("{:.2}", y(lat + dlat))}
                            width={format!("{:.2}", 2.0 * dlon / width * 200.0)} height={format!("{:.2}", 2.0 * dlat / height * 100.0)} />
                    }
                }
                { for props.points.iter().map(|(member, lon, lat)| html! {
                    <g class={classes!("geo-point", flash(&props.marks, member))}>
                        <circle cx={format!("{:.2}", x(*lon))} cy={format!("{:.2}", y(*lat))} r={r.to_string()}>
                            <title>{ format!("{} {lon:.6} {lat:.6}", shown(member)) }</title>
                        </circle>
                        <text x={format!("{:.2}", x(*lon) + 2.5)} y={format!("{:.2}", y(*lat) + 1.2)}>{ shown(member) }</text>
                    </g>
                }) }
            </svg>
            <p class="note">
                { format!("lon {west:.2}…{:.2}, lat {:.2}…{north:.2}", west + width, north - height) }
            </p>
        </div>
    }
}
