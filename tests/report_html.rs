//! report.html in a real browser: the demo's report renders in headless Chromium without
//! console errors and its screenshot shows the map and every chart drawn; hostile names stay
//! text; a book above the map's point cap is sampled and says so. The figures the page
//! carries are recomputed from the raw input rows and assignments.csv.
//!
//! Chromium is required (`bash .ci/setup` installs Debian's `chromium`; `ALLOT_CHROMIUM`
//! names another binary): without it these tests fail, they never skip.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use serde_json::Value;

/// The browser binary: `ALLOT_CHROMIUM`, else the first of the usual names on PATH.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("ALLOT_CHROMIUM") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        for dir in std::env::split_paths(&path) {
            let c = dir.join(name);
            if c.is_file() {
                return c;
            }
        }
    }
    panic!(
        "no Chromium found (tried chromium, chromium-browser, google-chrome on PATH): \
         `bash .ci/setup` installs Debian's chromium, or set ALLOT_CHROMIUM"
    );
}

/// Runs headless Chromium on `page` with a fresh profile, a fixed window and device scale 1;
/// returns stdout, and the console lines it logged to stderr.
fn chromium_run(page: &Path, window: (u32, u32), mode: &[&str]) -> (String, Vec<String>) {
    let profile = tempdir();
    let mut cmd = assert_cmd::Command::new(chromium());
    cmd.timeout(Duration::from_secs(120)).args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=10000",
    ]);
    cmd.arg(format!("--window-size={},{}", window.0, window.1));
    cmd.arg(format!("--user-data-dir={}", profile.path().display()));
    cmd.args(mode);
    cmd.arg(format!("file://{}", page.display()));
    let o = cmd.output().expect("chromium ran");
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        o.status.success(),
        "chromium failed on {}: {stderr}",
        page.display()
    );
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&o.stdout).to_string(), console)
}

/// One drawn canvas as the page reported it: its id, items drawn and page rectangle.
#[derive(Debug)]
struct Canvas {
    id: String,
    drawn: usize,
    rect: (u32, u32, u32, u32),
}

/// Value of attribute `name` inside one tag's text.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')?;
    Some(&tag[at..at + end])
}

/// Every `<tag …>` opening tag of the serialised DOM.
fn tags<'a>(dom: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let mut found = Vec::new();
    let mut rest = dom;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        if after.starts_with([' ', '>']) {
            let end = after.find('>').map_or(after.len(), |e| e + 1);
            found.push(&rest[i..i + open.len() + end]);
        }
        rest = after;
    }
    found
}

/// The rendered page: the DOM after the script ran, and no console message.
fn render(page: &Path) -> (String, Vec<Canvas>) {
    let (dom, console) = chromium_run(page, (1320, 2000), &["--dump-dom"]);
    assert!(
        console.is_empty(),
        "console messages while rendering {}:\n{}",
        page.display(),
        console.join("\n")
    );
    let body = tags(&dom, "body");
    assert_eq!(body.len(), 1, "one body");
    assert_eq!(
        attr(body[0], "data-status"),
        Some("ok"),
        "the page's script did not finish: {}",
        body[0]
    );
    let canvases = tags(&dom, "canvas")
        .into_iter()
        .map(|t| {
            let r: Vec<u32> = attr(t, "data-rect")
                .unwrap_or_else(|| panic!("canvas without data-rect: {t}"))
                .split(',')
                .map(|x| x.parse().expect("rect number"))
                .collect();
            assert_eq!(r.len(), 4, "{t}");
            Canvas {
                id: attr(t, "id").unwrap_or("chart").to_string(),
                drawn: attr(t, "data-drawn")
                    .expect("data-drawn")
                    .parse()
                    .expect("count"),
                rect: (r[0], r[1], r[2], r[3]),
            }
        })
        .collect();
    (dom, canvases)
}

/// Screenshot of the page, tall enough for every canvas; RGBA rows.
fn screenshot(page: &Path, canvases: &[Canvas]) -> (u32, u32, Vec<u8>) {
    let bottom = canvases
        .iter()
        .map(|c| c.rect.1 + c.rect.3)
        .max()
        .unwrap_or(0);
    let dir = tempdir();
    let png = dir.path().join("shot.png");
    let (_, console) = chromium_run(
        page,
        (1320, bottom + 40),
        &[&format!("--screenshot={}", png.display())],
    );
    assert!(console.is_empty(), "console: {console:?}");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png).expect("screenshot written"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        c => panic!("unexpected colour type {c:?}"),
    };
    let mut rgba = Vec::with_capacity((info.width * info.height * 4) as usize);
    for px in buf[..info.buffer_size()].chunks(channels) {
        rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
    }
    (info.width, info.height, rgba)
}

/// Share of a canvas's inner pixels that differ clearly from its background (the colour
/// at its top-left inner corner): 0 for a blank canvas.
fn inked(shot: &(u32, u32, Vec<u8>), c: &Canvas) -> f64 {
    let (w, h, px) = shot;
    let (x0, y0, cw, ch) = c.rect;
    assert!(
        x0 + cw <= *w && y0 + ch <= *h,
        "{} at {:?} is outside the {w}×{h} screenshot",
        c.id,
        c.rect
    );
    let at = |x: u32, y: u32| {
        let i = ((y * w + x) * 4) as usize;
        [px[i] as i32, px[i + 1] as i32, px[i + 2] as i32]
    };
    let bg = at(x0 + 3, y0 + 3);
    let (mut n, mut ink) = (0usize, 0usize);
    for y in y0 + 2..y0 + ch - 2 {
        for x in x0 + 2..x0 + cw - 2 {
            n += 1;
            let p = at(x, y);
            if (0..3).map(|k| (p[k] - bg[k]).abs()).max().unwrap_or(0) > 40 {
                ink += 1;
            }
        }
    }
    ink as f64 / n as f64
}

/// The JSON the page draws from.
fn page_data(html: &str) -> Value {
    let open = "<script id=\"allot-data\" type=\"application/json\">";
    let at = html.find(open).expect("data script") + open.len();
    let end = html[at..].find("</script>").expect("end of data") + at;
    serde_json::from_str(&html[at..end]).expect("page data is JSON")
}

/// 1234567 → "1,234,567" (the page's counts).
fn thousands(n: usize) -> String {
    let d = n.to_string();
    d.chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let sep = (i > 0 && (d.len() - i) % 3 == 0).then_some(',');
            sep.into_iter().chain(std::iter::once(c))
        })
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn i(v: &Value) -> i64 {
    v.as_i64()
        .unwrap_or_else(|| panic!("{v} is not an integer"))
}

/// Checks the page's data against the raw rows: map points, rep loads before and after
/// (potential), and every move row. Returns the number of moves.
fn check_data(data: &Value, accounts_csv: &Path, assignments: &Path, sampled: bool) -> usize {
    let raw = read_csv(accounts_csv);
    let rows = read_csv(assignments);
    let reps = &data["reps"];
    let ids: Vec<&str> = reps["id"]
        .as_array()
        .expect("rep ids")
        .iter()
        .map(|v| v.as_str().expect("id"))
        .collect();
    let rep_of: BTreeMap<&str, &str> = rows
        .records
        .iter()
        .map(|r| (r.get("account_id"), r.get("rep_id")))
        .collect();
    let located = raw
        .records
        .iter()
        .filter(|r| !r.get("lat").trim().is_empty() && !r.get("lon").trim().is_empty())
        .count();
    let pts = &data["points"];
    assert_eq!(i(&pts["located"]) as usize, located, "located accounts");
    let shown = pts["lat"].as_array().expect("lat").len();
    assert_eq!(i(&pts["shown"]) as usize, shown);
    if !sampled {
        assert_eq!(shown, located, "every located account is drawn");
        // Points per rep after = located accounts per rep in assignments.csv.
        let mut want: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &raw.records {
            if !r.get("lat").trim().is_empty() && !r.get("lon").trim().is_empty() {
                *want.entry(rep_of[r.get("account_id")]).or_default() += 1;
            }
        }
        let mut got: BTreeMap<&str, usize> = BTreeMap::new();
        for a in pts["after"].as_array().expect("after") {
            *got.entry(ids[i(a) as usize]).or_default() += 1;
        }
        assert_eq!(got, want, "map points per territory");
    }
    // Potential per rep, after (assignments.csv) and before (owner_id), from raw rows.
    let mut after: BTreeMap<&str, f64> = BTreeMap::new();
    let mut before: BTreeMap<&str, f64> = BTreeMap::new();
    for r in &raw.records {
        let pot: f64 = r.get("potential").trim().parse().expect("potential");
        *after.entry(rep_of[r.get("account_id")]).or_default() += pot;
        *before.entry(r.get("owner_id")).or_default() += pot;
    }
    for (k, id) in ids.iter().enumerate() {
        let a = f(&reps["after"][k][0]);
        let want = after.get(id).copied().unwrap_or(0.0);
        assert!(
            (a - want).abs() <= 1e-6 * want.max(1.0),
            "{id} after {a} vs {want}"
        );
        if !reps["before"].is_null() {
            let b = f(&reps["before"][k][0]);
            let want = before.get(id).copied().unwrap_or(0.0);
            assert!(
                (b - want).abs() <= 1e-6 * want.max(1.0),
                "{id} before {b} vs {want}"
            );
        }
    }
    // Moves: every row is a real move with its reason; the total is assignments.csv's.
    let moved: BTreeMap<&str, (&str, &str, &str)> = rows
        .records
        .iter()
        .filter(|r| r.get("moved") == "true")
        .map(|r| {
            (
                r.get("account_id"),
                (
                    r.get("previous_rep_id"),
                    r.get("rep_id"),
                    r.get("reason_code"),
                ),
            )
        })
        .collect();
    let mv = &data["moves"];
    assert_eq!(i(&mv["total"]) as usize, moved.len(), "moves total");
    let table = mv["rows"].as_array().expect("move rows");
    assert_eq!(table.len(), moved.len().min(5000));
    let owner: BTreeMap<&str, &str> = raw
        .records
        .iter()
        .map(|r| (r.get("account_id"), r.get("owner_id")))
        .collect();
    for row in table {
        let id = row[0].as_str().expect("account id");
        let (from, to, reason) = moved
            .get(id)
            .unwrap_or_else(|| panic!("{id} is in the moves table but did not move"));
        assert_eq!(owner[id], *from, "{id}: raw owner");
        assert_eq!(ids[i(&row[3]) as usize], *from, "{id}: from");
        assert_eq!(ids[i(&row[4]) as usize], *to, "{id}: to");
        assert_eq!(row[7].as_str(), Some(*reason), "{id}: reason");
    }
    moved.len()
}

#[test]
fn demo_report_renders_with_map_and_charts() {
    let dir = tempdir();
    let out = dir.path().join("demo");
    let o = run(["demo".as_ref(), "--out".as_ref(), out.as_os_str()]);
    assert_code(&o, 0, "allot demo");
    let spec = Spec::new(
        &out.join("input/accounts.csv"),
        &out.join("input/reps.csv"),
        &out,
    );
    let checked = check(&spec);
    let page = out.join("report.html");
    let html = read_text(&page);
    let data = page_data(&html);
    let moves = check_data(
        &data,
        &out.join("input/accounts.csv"),
        &out.join("assignments.csv"),
        false,
    );
    assert_eq!(moves, checked.moved, "moves: page vs checker");
    assert!(
        html.contains(&format!("<div class=\"value\">{}</div>", thousands(moves))),
        "headline shows {moves} moves"
    );
    let segments = checked.summary["segments"]
        .as_array()
        .expect("segments")
        .len();
    assert_eq!(segments, 4, "the demo has four segments");

    let (_, canvases) = render(&page);
    // The map, and potential + workload per segment.
    assert_eq!(canvases.len(), 1 + 2 * segments, "{canvases:?}");
    assert_eq!(canvases[0].id, "map");
    assert!(canvases[0].drawn > 5000, "map drew {}", canvases[0].drawn);
    let shot = screenshot(&page, &canvases);
    for c in &canvases {
        assert!(c.drawn > 0, "{c:?} drew nothing");
        let share = inked(&shot, c);
        let least = if c.id == "map" { 0.005 } else { 0.05 };
        assert!(
            share > least,
            "{} at {:?} looks blank in the screenshot ({:.4} of its pixels inked)",
            c.id,
            c.rect,
            share
        );
    }
}

#[test]
fn hostile_names_and_ids_stay_text_in_the_browser() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = run_fixture("rebalance", "html", &out, &[]);
    assert_code(&o, 0, "rebalance html fixture");
    let mut spec = Spec::new(
        &fixture("html/accounts.csv"),
        &fixture("html/reps.csv"),
        &out,
    );
    spec.band_pct = 20.0;
    spec = spec.metrics(&["potential"]);
    let checked = check(&spec);
    assert!(checked.moved > 0, "the fixture moves accounts");
    let page = out.join("report.html");
    let html = read_text(&page);
    // Two script elements (data, code); nothing from the input opens a tag.
    assert_eq!(
        html.matches("<script").count(),
        2,
        "script tags in report.html"
    );
    for raw in [
        "<script>document",
        "<img",
        "<svg",
        "<iframe",
        "<b>field",
        "Zoë </title>",
    ] {
        assert!(!html.contains(raw), "report.html contains raw {raw:?}");
    }
    check_data(
        &page_data(&html),
        &fixture("html/accounts.csv"),
        &out.join("assignments.csv"),
        false,
    );
    let (dom, canvases) = render(&page);
    let body = tags(&dom, "body")[0];
    assert!(
        attr(body, "data-pwned").is_none(),
        "input ran as code: {body}"
    );
    for t in ["img", "svg", "iframe"] {
        assert!(tags(&dom, t).is_empty(), "the DOM has a <{t}> element");
    }
    assert_eq!(tags(&dom, "script").len(), 2);
    // The names are there, as text: in the moves table, the rep lists and headings.
    for text in [
        "&lt;/script&gt;&lt;img src=x onerror=\"document.body.dataset.pwned='2'\"&gt;",
        "&lt;img src=x onerror=\"document.body.dataset.pwned='r1'\"&gt; (R1)",
        "Ann &amp; Bob's &lt;team&gt; (R2)",
        "Müller &amp; Söhne &lt;GmbH&gt;",
        "<h3>&lt;b&gt;field&lt;/b&gt;</h3>",
        "&lt;script&gt;document.body.dataset.pwned='r3'&lt;/script&gt; (R3)",
    ] {
        assert!(dom.contains(text), "the rendered page lacks {text:?}");
    }
    assert_eq!(canvases.len(), 1 + 2 * 2, "map + 2 charts × 2 segments");
    assert!(canvases.iter().all(|c| c.drawn > 0), "{canvases:?}");
}

#[test]
fn a_book_above_the_point_cap_is_sampled_and_says_so() {
    let dir = tempdir();
    let (accounts, reps, plan) = generated(dir.path(), 40_000, 60, 3);
    let out = dir.path().join("eval");
    let o = run_solve("evaluate", &accounts, &reps, Some(&plan), &out, &[]);
    assert_code(&o, 0, "evaluate 40k");
    let page = out.join("report.html");
    let html = read_text(&page);
    let data = page_data(&html);
    let located = i(&data["points"]["located"]);
    assert!(
        located > 30_000,
        "generated accounts have coordinates ({located})"
    );
    assert_eq!(i(&data["points"]["shown"]), 30_000);
    assert!(
        html.contains(&format!(
            "Showing a uniform sample of 30,000 of the {} accounts with coordinates",
            thousands(located as usize)
        )),
        "the page says what it sampled"
    );
    // evaluate proposes nothing: no before book, no moves.
    assert!(data["reps"]["before"].is_null());
    assert_eq!(i(&data["moves"]["total"]), 0);
    let size = html.len();
    assert!(size < 3_000_000, "report.html is {size} bytes");
    // The same sample on a second run.
    let again = dir.path().join("eval2");
    let o = run_solve("evaluate", &accounts, &reps, Some(&plan), &again, &[]);
    assert_code(&o, 0, "evaluate 40k again");
    assert_eq!(
        html,
        read_text(&again.join("report.html")),
        "report.html repeats"
    );
    let (_, canvases) = render(&page);
    assert_eq!(canvases[0].id, "map");
    assert!(canvases[0].drawn >= 30_000, "{:?}", canvases[0]);
}
