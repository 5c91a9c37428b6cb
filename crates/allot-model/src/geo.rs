//! Great-circle distance, the one definition of "km" used by every figure.

/// Mean Earth radius in km (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in km between two (lat, lon) points in degrees (haversine).
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_york_to_los_angeles() {
        let d = haversine_km((40.7128, -74.0060), (34.0522, -118.2437));
        assert!((d - 3936.0).abs() < 10.0, "{d}");
        assert_eq!(haversine_km((10.0, 10.0), (10.0, 10.0)), 0.0);
    }
}
