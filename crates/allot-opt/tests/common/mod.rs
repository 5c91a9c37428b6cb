//! Helpers the engine tests share, written from the raw rows (no product code).

/// Great-circle km (haversine, mean Earth radius 6371.0088 km).
pub fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let s1 = ((p2 - p1) / 2.0).sin();
    let s2 = ((b.1 - a.1).to_radians() / 2.0).sin();
    2.0 * 6371.0088
        * (s1 * s1 + p1.cos() * p2.cos() * s2 * s2)
            .sqrt()
            .min(1.0)
            .asin()
}
