// report.html: draws the map, the balance charts and the moves table from the JSON in
// #allot-data. Input text only ever reaches the page through textContent.
"use strict";
(function () {
  var body = document.body;
  function fail(msg) {
    var e = document.getElementById("render-error");
    if (e) {
      e.textContent = "This report could not draw everything: " + msg;
      e.hidden = false;
    }
    body.dataset.status = "error";
  }
  window.addEventListener("error", function (ev) { fail(String(ev.message)); });

  var D = JSON.parse(document.getElementById("allot-data").textContent);
  var R = D.reps;
  var nRep = R.id.length;
  var fmt0 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  var fmt1 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });

  // One colour per rep: golden-angle hues, so neighbours in the list differ.
  function repColour(r, alpha) {
    if (r < 0) return "rgba(150,150,150," + (alpha === undefined ? 0.8 : alpha) + ")";
    var h = (r * 137.508) % 360;
    var l = 38 + (r % 3) * 8;
    return "hsla(" + h.toFixed(1) + ",70%," + l + "%," + (alpha === undefined ? 0.85 : alpha) + ")";
  }
  function repLabel(r) {
    if (r < 0) return "—";
    return R.name[r] && R.name[r] !== R.id[r] ? R.name[r] + " (" + R.id[r] + ")" : R.id[r];
  }
  // A canvas sized in CSS pixels, sharp on high-density screens.
  function setup(canvas, w, h) {
    var dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = w + "px";
    canvas.style.aspectRatio = w + " / " + h;
    canvas.style.height = "auto";
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return ctx;
  }
  function mark(canvas, drawn) {
    var b = canvas.getBoundingClientRect();
    canvas.dataset.drawn = String(drawn);
    canvas.dataset.rect = [b.left + window.scrollX, b.top + window.scrollY, b.width, b.height]
      .map(function (x) { return Math.round(x); }).join(",");
  }
  var tip = document.createElement("div");
  tip.id = "tip";
  body.appendChild(tip);
  function showTip(ev, text) {
    tip.textContent = text;
    tip.style.display = "block";
    tip.style.left = ev.clientX + 14 + "px";
    tip.style.top = ev.clientY + 10 + "px";
  }
  function hideTip() { tip.style.display = "none"; }
  function option(select, value, text) {
    var o = document.createElement("option");
    o.value = String(value);
    o.textContent = text;
    select.appendChild(o);
  }

  // ---- Map -------------------------------------------------------------------------------
  var P = D.points;
  var mapCanvas = document.getElementById("map");
  var mapState = { book: "after", rep: -1, seg: -1 };
  var MAP_W = 1200, MAP_H = 640;
  // Bounds of every point and rep home; the map's height follows their shape.
  var lat0 = Infinity, lat1 = -Infinity, lon0 = Infinity, lon1 = -Infinity;
  function grow(la, lo) {
    if (la < lat0) lat0 = la;
    if (la > lat1) lat1 = la;
    if (lo < lon0) lon0 = lo;
    if (lo > lon1) lon1 = lo;
  }
  for (var i0 = 0; i0 < P.lat.length; i0++) grow(P.lat[i0], P.lon[i0]);
  for (var r1 = 0; r1 < nRep; r1++) if (R.seg[r1] >= 0 && R.lat[r1] !== null && R.lon[r1] !== null) grow(R.lat[r1], R.lon[r1]);
  // Equirectangular, longitudes shrunk by the cosine of the middle latitude.
  var kx = Math.max(0.05, Math.cos(((lat0 + lat1) / 2) * Math.PI / 180));
  var spanX = Math.max((lon1 - lon0) * kx, 1e-6), spanY = Math.max(lat1 - lat0, 1e-6);
  var pad = 24;
  if (isFinite(lat0)) MAP_H = Math.round(Math.min(720, Math.max(360, (MAP_W - 2 * pad) * spanY / spanX + 2 * pad)));
  function drawMap() {
    if (!mapCanvas) return;
    var ctx = setup(mapCanvas, MAP_W, MAP_H);
    ctx.fillStyle = "#f7f9fb";
    ctx.fillRect(0, 0, MAP_W, MAP_H);
    var i, r;
    if (!isFinite(lat0)) { mark(mapCanvas, 0); return; }
    var s = Math.min((MAP_W - 2 * pad) / spanX, (MAP_H - 2 * pad) / spanY);
    var ox = (MAP_W - spanX * s) / 2, oy = (MAP_H - spanY * s) / 2;
    function x(lo) { return ox + (lo - lon0) * kx * s; }
    function y(la) { return MAP_H - oy - (la - lat0) * s; }
    var own = mapState.book === "after" ? P.after : (P.before || P.after);
    var rad = P.lat.length > 20000 ? 1.2 : P.lat.length > 5000 ? 1.8 : 2.6;
    var drawn = 0;
    var hi = mapState.rep, sg = mapState.seg;
    for (i = 0; i < P.lat.length; i++) {
      r = own[i];
      if (sg >= 0 && P.seg[i] !== sg) continue;
      if (hi >= 0 && r === hi) continue;
      ctx.fillStyle = repColour(r, hi >= 0 ? 0.12 : 0.85);
      ctx.fillRect(x(P.lon[i]) - rad, y(P.lat[i]) - rad, 2 * rad, 2 * rad);
      drawn++;
    }
    if (hi >= 0) {
      for (i = 0; i < P.lat.length; i++) {
        if (own[i] !== hi) continue;
        ctx.beginPath();
        ctx.arc(x(P.lon[i]), y(P.lat[i]), rad + 1.2, 0, 2 * Math.PI);
        ctx.fillStyle = repColour(hi, 1);
        ctx.fill();
        drawn++;
      }
    }
    for (r = 0; r < nRep; r++) {
      if (R.seg[r] < 0 || R.lat[r] === null || R.lon[r] === null) continue;
      if (hi >= 0 && r !== hi) continue;
      if (sg >= 0 && R.seg[r] !== sg) continue;
      var hx = x(R.lon[r]), hy = y(R.lat[r]);
      ctx.fillStyle = repColour(r, 1);
      ctx.strokeStyle = "#111827";
      ctx.lineWidth = 1.5;
      ctx.fillRect(hx - 5, hy - 5, 10, 10);
      ctx.strokeRect(hx - 5, hy - 5, 10, 10);
      drawn++;
    }
    mark(mapCanvas, drawn);
  }
  if (mapCanvas) {
    var after = document.getElementById("show-after"), before = document.getElementById("show-before");
    if (!R.before) {
      before.disabled = true;
      before.title = "No change proposed: before and after are the same book";
    }
    after.addEventListener("click", function () {
      mapState.book = "after"; after.classList.add("on"); before.classList.remove("on"); drawMap();
    });
    before.addEventListener("click", function () {
      mapState.book = "before"; before.classList.add("on"); after.classList.remove("on"); drawMap();
    });
    var sel = document.getElementById("map-rep"), segSel = document.getElementById("map-seg");
    D.segments.forEach(function (name, s) { option(segSel, s, name); });
    function repOptions() {
      while (sel.options.length > 1) sel.remove(1);
      var order = [];
      for (var r0 = 0; r0 < nRep; r0++) {
        if (R.seg[r0] >= 0 && (mapState.seg < 0 || R.seg[r0] === mapState.seg)) order.push(r0);
      }
      order.sort(function (a, b) { return repLabel(a).localeCompare(repLabel(b)); });
      order.forEach(function (r) { option(sel, r, repLabel(r) + " — " + D.segments[R.seg[r]]); });
    }
    repOptions();
    sel.addEventListener("change", function () { mapState.rep = Number(sel.value); drawMap(); });
    segSel.addEventListener("change", function () {
      mapState.seg = Number(segSel.value);
      if (mapState.rep >= 0 && mapState.seg >= 0 && R.seg[mapState.rep] !== mapState.seg) mapState.rep = -1;
      repOptions();
      sel.value = String(mapState.rep);
      drawMap();
    });
    drawMap();
  }

  // ---- Balance charts --------------------------------------------------------------------
  var CH_W = 600, CH_H = 190;
  function chart(container, seg, mi) {
    var metric = D.metrics[mi][0], balanced = D.metrics[mi][1];
    var k = metric === "potential" ? 0 : metric === "workload" ? 1 : 2;
    var reps = [];
    for (var r = 0; r < nRep; r++) if (R.seg[r] === seg && R.target[r][k] > 0) reps.push(r);
    var fig = document.createElement("figure");
    var cap = document.createElement("figcaption");
    cap.textContent = metric + (balanced ? " (balanced, band ±" + fmt1.format(D.band * 100) + " %)" : " (not balanced: shown for reference)") +
      " · " + reps.length + " reps";
    var canvas = document.createElement("canvas");
    canvas.className = "chart";
    fig.appendChild(canvas);
    fig.appendChild(cap);
    container.appendChild(fig);
    var ctx = setup(canvas, CH_W, CH_H);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, CH_W, CH_H);
    if (!reps.length) { mark(canvas, 0); return; }
    function ratio(loads, r) { return loads[r][k] / R.target[r][k] * 100; }
    reps.sort(function (a, b) { return ratio(R.after, a) - ratio(R.after, b) || a - b; });
    var lo = 100, hi = 100, i;
    for (i = 0; i < reps.length; i++) {
      lo = Math.min(lo, ratio(R.after, reps[i]));
      hi = Math.max(hi, ratio(R.after, reps[i]));
      if (R.before) {
        lo = Math.min(lo, ratio(R.before, reps[i]));
        hi = Math.max(hi, ratio(R.before, reps[i]));
      }
    }
    if (balanced) { lo = Math.min(lo, 100 - D.band * 100); hi = Math.max(hi, 100 + D.band * 100); }
    hi = Math.min(hi, 300);
    lo = Math.max(0, Math.min(lo, 95));
    hi = Math.max(hi, 105);
    var padL = 44, padR = 8, padT = 8, padB = 18;
    var w = CH_W - padL - padR, h = CH_H - padT - padB;
    function y(v) { return padT + h - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo) * h; }
    // Band, target line, axis.
    if (balanced) {
      ctx.fillStyle = "rgba(39, 174, 96, 0.16)";
      ctx.fillRect(padL, y(100 + D.band * 100), w, y(100 - D.band * 100) - y(100 + D.band * 100));
    }
    ctx.strokeStyle = "#9aa5b1";
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(padL, padT); ctx.lineTo(padL, padT + h); ctx.lineTo(padL + w, padT + h); ctx.stroke();
    ctx.fillStyle = "#616e7c";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    var step = (hi - lo) > 120 ? 50 : (hi - lo) > 40 ? 20 : (hi - lo) > 15 ? 5 : 2;
    for (var t = Math.ceil(lo / step) * step; t <= hi; t += step) {
      ctx.fillText(t + " %", padL - 4, y(t));
      ctx.strokeStyle = "#eef2f6";
      ctx.beginPath(); ctx.moveTo(padL + 1, y(t)); ctx.lineTo(padL + w, y(t)); ctx.stroke();
    }
    var bw = w / reps.length;
    var drawn = 0;
    for (i = 0; i < reps.length; i++) {
      var v = ratio(R.after, reps[i]);
      var out = balanced && Math.abs(v - 100) > D.band * 100 + 1e-9;
      ctx.fillStyle = out ? "#d92d20" : "#2e90fa";
      var top = y(v);
      ctx.fillRect(padL + i * bw + (bw > 3 ? bw * 0.12 : 0), top, Math.max(bw * (bw > 3 ? 0.76 : 1), 0.6), padT + h - top);
      drawn++;
    }
    if (R.before) {
      ctx.fillStyle = "#111827";
      for (i = 0; i < reps.length; i++) {
        var b = ratio(R.before, reps[i]);
        var cx = padL + (i + 0.5) * bw, cy = y(b);
        ctx.beginPath();
        ctx.arc(cx, cy, bw > 6 ? 2.6 : 1.4, 0, 2 * Math.PI);
        ctx.fill();
        drawn++;
      }
    }
    ctx.strokeStyle = "#027a48";
    ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(padL, y(100)); ctx.lineTo(padL + w, y(100)); ctx.stroke();
    canvas.addEventListener("mousemove", function (ev) {
      var b = canvas.getBoundingClientRect();
      var px = (ev.clientX - b.left) * CH_W / b.width;
      var j = Math.floor((px - padL) / bw);
      if (j < 0 || j >= reps.length) { hideTip(); return; }
      var rr = reps[j];
      var txt = repLabel(rr) + "\n" + metric + " " + fmt0.format(R.after[rr][k]) + " (" + fmt1.format(ratio(R.after, rr)) + " % of target " + fmt0.format(R.target[rr][k]) + ")";
      if (R.before) txt += "\ntoday " + fmt0.format(R.before[rr][k]) + " (" + fmt1.format(ratio(R.before, rr)) + " %)";
      showTip(ev, txt);
    });
    canvas.addEventListener("mouseleave", hideTip);
    mark(canvas, drawn);
  }
  var charts = document.getElementById("charts");
  D.segments.forEach(function (name, s) {
    var h = document.createElement("h3");
    h.textContent = name;
    charts.appendChild(h);
    var box = document.createElement("div");
    box.className = "seg-charts";
    charts.appendChild(box);
    for (var m = 0; m < D.metrics.length; m++) chart(box, s, m);
  });

  // ---- Moves table -----------------------------------------------------------------------
  var M = D.moves;
  var table = document.getElementById("moves-table");
  if (table) {
    var tbody = table.tBodies[0];
    var repSel = document.getElementById("moves-rep");
    var reasonSel = document.getElementById("moves-reason");
    var text = document.getElementById("moves-text");
    var count = document.getElementById("moves-count");
    var inMoves = {}, reasons = {};
    M.rows.forEach(function (row) {
      if (row[3] >= 0) inMoves[row[3]] = true;
      if (row[4] >= 0) inMoves[row[4]] = true;
      if (row[7]) reasons[row[7]] = true;
    });
    Object.keys(inMoves).map(Number)
      .sort(function (a, b) { return repLabel(a).localeCompare(repLabel(b)); })
      .forEach(function (r) { option(repSel, r, repLabel(r)); });
    Object.keys(reasons).sort().forEach(function (x) { option(reasonSel, x, x); });
    var sort = { col: 5, dir: -1 };
    function key(row, c) {
      if (c === 3 || c === 4) return repLabel(row[c]).toLowerCase();
      if (c === 5 || c === 6) return row[c];
      return String(row[c]).toLowerCase();
    }
    function render() {
      var rep = Number(repSel.value), reason = reasonSel.value, q = text.value.trim().toLowerCase();
      var rows = M.rows.filter(function (row) {
        if (rep >= 0 && row[3] !== rep && row[4] !== rep) return false;
        if (reason && row[7] !== reason) return false;
        if (q && String(row[0]).toLowerCase().indexOf(q) < 0 && String(row[1]).toLowerCase().indexOf(q) < 0) return false;
        return true;
      });
      rows.sort(function (a, b) {
        var x = key(a, sort.col), y = key(b, sort.col);
        return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
      });
      var frag = document.createDocumentFragment();
      rows.forEach(function (row) {
        var tr = document.createElement("tr");
        var cells = [row[0], row[1], row[2], repLabel(row[3]), repLabel(row[4]), fmt0.format(row[5]), fmt1.format(row[6]), row[7]];
        cells.forEach(function (c, i) {
          var td = document.createElement("td");
          td.textContent = c;
          if (i === 5 || i === 6) td.className = "num";
          tr.appendChild(td);
        });
        frag.appendChild(tr);
      });
      tbody.textContent = "";
      tbody.appendChild(frag);
      count.textContent = rows.length + " of " + M.rows.length + " rows";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
        th.classList.remove("sorted-asc", "sorted-desc");
        if (Number(th.dataset.col) === sort.col) th.classList.add(sort.dir > 0 ? "sorted-asc" : "sorted-desc");
      });
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.addEventListener("click", function () {
        var c = Number(th.dataset.col);
        sort.dir = sort.col === c ? -sort.dir : (c === 5 || c === 6 ? -1 : 1);
        sort.col = c;
        render();
      });
    });
    repSel.addEventListener("change", render);
    reasonSel.addEventListener("change", render);
    text.addEventListener("input", render);
    render();
  }
  if (body.dataset.status !== "error") body.dataset.status = "ok";
})();
