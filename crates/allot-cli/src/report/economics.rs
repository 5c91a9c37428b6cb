//! economics.csv and the printed economics table of `allot plan`: white space per tier, and
//! with `[economics]` assumptions, expected ARR, cost of sales and revenue per GTM dollar.

use allot_model::economics::EconomicsReport;

use super::safe_cell;

pub use allot_model::figures::money;

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| format!("{v:.decimals$}")).unwrap_or_default()
}

/// economics.csv: one row per tier, then a `total` row. Cells whose inputs the plan does
/// not state are empty.
pub fn csv(e: &EconomicsReport) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record([
        "segment",
        "accounts",
        "potential",
        "white_space_accounts",
        "white_space_potential",
        "white_space_potential_pct",
        "avg_deal_size",
        "win_rate",
        "quota",
        "loaded_cost",
        "roster_fte",
        "demand_arr",
        "capacity_arr",
        "expected_arr",
        "owner_cost",
        "support_cost",
        "cost_of_sales",
        "revenue_per_gtm_dollar",
    ])?;
    for t in &e.tiers {
        let a = &t.assumptions;
        w.write_record([
            safe_cell(&t.segment),
            t.accounts.to_string(),
            format!("{:.2}", t.potential),
            t.white_space_accounts.to_string(),
            format!("{:.2}", t.white_space_potential),
            opt(t.white_space_share().map(|s| s * 100.0), 2),
            opt(a.avg_deal_size, 2),
            a.win_rate.map(|v| v.to_string()).unwrap_or_default(),
            opt(a.quota, 2),
            opt(a.loaded_cost, 2),
            format!("{:.2}", t.roster_fte),
            opt(t.demand_arr, 2),
            opt(t.capacity_arr, 2),
            opt(t.expected_arr, 2),
            opt(t.owner_cost, 2),
            opt(t.support_cost, 2),
            opt(t.cost_of_sales, 2),
            opt(t.revenue_per_gtm_dollar, 4),
        ])?;
    }
    let t = &e.total;
    w.write_record([
        "total".to_string(),
        t.accounts.to_string(),
        format!("{:.2}", t.potential),
        t.white_space_accounts.to_string(),
        format!("{:.2}", t.white_space_potential),
        opt(t.white_space_share().map(|s| s * 100.0), 2),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!("{:.2}", t.roster_fte),
        opt(t.demand_arr, 2),
        opt(t.capacity_arr, 2),
        opt(t.expected_arr, 2),
        String::new(),
        String::new(),
        opt(t.cost_of_sales, 2),
        opt(t.revenue_per_gtm_dollar, 4),
    ])?;
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("writing CSV: {e}"))
}

/// The printed white space line, and with assumptions the economics table.
pub fn table(e: &EconomicsReport) -> String {
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
    let mut s = format!(
        "white space (no owner on the roster today): {} of {} accounts, {} of potential ({})\n",
        e.total.white_space_accounts,
        e.total.accounts,
        money(e.total.white_space_potential),
        pct(e.total.white_space_share())
    );
    if !e.stated {
        return s;
    }
    let m = |x: Option<f64>| x.map_or("-".to_string(), money);
    s.push_str(&format!(
        "\n{:<24} {:>10} {:>12} {:>12} {:>12} {:>13} {:>9} {:>12}\n",
        "economics (per year)",
        "roster_fte",
        "demand_arr",
        "capacity_arr",
        "expected_arr",
        "cost_of_sales",
        "arr_per_$",
        "white_space"
    ));
    let ratio = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
    // name, roster FTE, demand, capacity, expected, cost of sales, ARR per $, white space.
    type Line = (f64, [Option<f64>; 5], Option<f64>);
    let row = |name: &str, (fte, x, ws): Line| {
        format!(
            "{:<24} {:>10.2} {:>12} {:>12} {:>12} {:>13} {:>9} {:>12}\n",
            name,
            fte,
            m(x[0]),
            m(x[1]),
            m(x[2]),
            m(x[3]),
            ratio(x[4]),
            pct(ws)
        )
    };
    for t in &e.tiers {
        s.push_str(&row(
            &t.segment,
            (
                t.roster_fte,
                [
                    t.demand_arr,
                    t.capacity_arr,
                    t.expected_arr,
                    t.cost_of_sales,
                    t.revenue_per_gtm_dollar,
                ],
                t.white_space_share(),
            ),
        ));
    }
    let t = &e.total;
    s.push_str(&row(
        "total",
        (
            t.roster_fte,
            [
                t.demand_arr,
                t.capacity_arr,
                t.expected_arr,
                t.cost_of_sales,
                t.revenue_per_gtm_dollar,
            ],
            t.white_space_share(),
        ),
    ));
    s.push_str(
        "demand = accounts × win rate × deal size; capacity = roster FTE × quota; expected = the smaller; arr_per_$ = expected ARR / cost of sales\n",
    );
    s
}
