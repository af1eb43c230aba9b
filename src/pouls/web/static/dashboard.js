// The dashboard's charts (Apache ECharts, vendored in /static/vendor) and their tables, drawn
// from the figures the page carries in <script type="application/json" id="dashboard-data">.
// Charts start when they scroll into view, so a phone draws only what it shows; tables are
// built when their <details> opens. Every bar, slice, point and row leads to the wall,
// filtered on what it counts, within the page's own selection and range.
(() => {
  "use strict";
  const island = document.getElementById("dashboard-data");
  if (!island || !window.echarts) return;
  const D = JSON.parse(island.textContent);
  const F = D.figures;
  const W = D.labels.words;
  const lang = D.labels.lang;
  const locale = lang === "fr" ? "fr-FR" : "en-GB";
  const numbers = new Intl.NumberFormat(locale);
  const percents = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
  const changes = new Intl.NumberFormat(locale, {
    style: "percent",
    maximumFractionDigits: 0,
    signDisplay: "exceptZero",
  });
  const degrees = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
  const tz = F.period.timezone || "UTC";
  const stepFormat = {
    hour: { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" },
    day: { weekday: "short", day: "numeric", month: "short" },
    week: { day: "numeric", month: "short", year: "numeric" },
  }[F.period.bucket] || { day: "numeric", month: "short" };
  const dates = new Intl.DateTimeFormat(locale, { ...stepFormat, timeZone: tz });
  const when = (iso) => dates.format(new Date(iso));
  const number = (n) => (n === null || n === undefined ? "–" : numbers.format(n));
  const change = (c) => (c === null || c === undefined ? W["new this period"] : changes.format(c));
  const COLORS = {
    positive: "#15803d",
    neutral: "#94a3b8",
    negative: "#c2410c",
    previous: "#64748b",
  };
  const phone = () => window.matchMedia("(max-width: 640px)").matches;
  // One colour per channel, the same in every chart (pouls.signals.colours): the library's
  // palette cycles through ten, and a stack of eleven channels showed two in one colour.
  const channelColour = (key) => ((D.labels.colours || {}).channel || {})[key];

  // --- Links to the wall -------------------------------------------------------------------
  const RANGE = ["range", "since", "until"];
  function wallHref(extra) {
    const base = { ...D.wall };
    if (RANGE.some((k) => k in extra)) RANGE.forEach((k) => delete base[k]);
    const merged = { ...base, ...extra };
    // A figure's own query narrows the page's, it does not replace it.
    if (base.q && extra.q && base.q !== extra.q) merged.q = `(${base.q}) AND (${extra.q})`;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(merged)) {
      if (v !== null && v !== undefined && v !== "") params.set(k, String(v));
    }
    return "/?" + params.toString();
  }
  function bucketRange(buckets, i, end) {
    return { since: buckets[i], until: buckets[i + 1] || end };
  }
  function previousRange(buckets, i) {
    const shift = Date.parse(F.period.until) - Date.parse(F.period.since);
    const own = bucketRange(buckets, i, F.period.until);
    const back = (iso) => new Date(Date.parse(iso) - shift).toISOString();
    return { since: back(own.since), until: back(own.until) };
  }
  const go = (href) => {
    if (href) window.location.assign(href);
  };

  // --- Words for values --------------------------------------------------------------------
  function valueName(kind, key) {
    const names = D.labels.values[kind] || {};
    return names[key] || key;
  }

  // --- Tables ------------------------------------------------------------------------------
  // rows: arrays of cells; a cell is a string, a number (formatted, right-aligned) or
  // {text, href}. `kinds` says how to format each numeric column: n(umber), p(ercent), c(hange).
  function table(heads, rows, kinds) {
    const t = document.createElement("table");
    t.className = "grid";
    const head = t.createTHead().insertRow();
    heads.forEach((h, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = h;
      if (kinds[i] !== "t") th.className = "num";
      head.appendChild(th);
    });
    const body = t.createTBody();
    rows.forEach((row) => {
      const tr = body.insertRow();
      row.forEach((cell, i) => {
        const td = tr.insertCell();
        const kind = kinds[i];
        let text = cell;
        if (kind === "n") text = number(cell);
        else if (kind === "p") text = cell === null ? "–" : percents.format(cell);
        else if (kind === "c") text = change(cell);
        else if (kind === "d") text = degrees.format(cell);
        if (kind !== "t") td.className = "num";
        if (cell && typeof cell === "object" && !cell.href) {
          td.textContent = cell.text;
        } else if (cell && typeof cell === "object") {
          const a = document.createElement("a");
          a.href = cell.href;
          a.textContent = cell.text;
          td.appendChild(a);
        } else {
          td.textContent = text;
        }
      });
    });
    return t;
  }

  // --- Common chart parts ------------------------------------------------------------------
  function base(extra) {
    return {
      animationDuration: 300,
      aria: { enabled: true },
      textStyle: { fontFamily: "inherit" },
      tooltip: { trigger: "item", confine: true, valueFormatter: number },
      legend: { type: "scroll", bottom: 0 },
      ...extra,
    };
  }
  function timeAxis(buckets) {
    return {
      type: "category",
      data: buckets.map(when),
      axisTick: { alignWithLabel: true },
      axisLabel: { hideOverlap: true },
    };
  }
  const countAxis = (name) => ({
    type: "value",
    name,
    nameTextStyle: { align: "left" },
    minInterval: 1,
    axisLabel: { formatter: (v) => numbers.format(v) },
  });
  const grid = { left: 8, right: 24, top: 36, bottom: 48, containLabel: true };

  // --- Volume ------------------------------------------------------------------------------
  const MOODS = ["positive", "neutral", "negative"];
  let volumeMode = "total";
  function volumeSeries() {
    const v = F.volume;
    const parts =
      volumeMode === "total"
        ? [{ key: null, name: W.Signals, data: v.total }]
        : Object.entries(v.by[volumeMode] || {}).map(([key, data]) => ({
            key,
            name: valueName(volumeMode, key),
            data,
          }));
    if (volumeMode === "sentiment") parts.sort((a, b) => MOODS.indexOf(a.key) - MOODS.indexOf(b.key));
    return parts;
  }
  const charts = {};
  charts.volume = {
    option() {
      const v = F.volume;
      const parts = volumeSeries();
      const series = parts.map((p) => ({
        type: "bar",
        name: p.name,
        stack: "volume",
        data: p.data,
        color:
          volumeMode === "sentiment"
            ? COLORS[p.key]
            : volumeMode === "channel"
              ? channelColour(p.key)
              : undefined,
        emphasis: { focus: "series" },
      }));
      series.push({
        type: "line",
        name: W["Previous period"],
        data: v.previous_total,
        color: COLORS.previous,
        lineStyle: { type: "dashed", width: 1.5 },
        symbolSize: 6,
      });
      return base({
        tooltip: { trigger: "axis", confine: true, valueFormatter: number },
        grid,
        xAxis: timeAxis(v.buckets),
        yAxis: countAxis(W.Signals),
        series,
      });
    },
    click(p) {
      const v = F.volume;
      const parts = volumeSeries();
      if (p.seriesIndex >= parts.length) return wallHref(previousRange(v.buckets, p.dataIndex));
      const extra = bucketRange(v.buckets, p.dataIndex, F.period.until);
      const key = parts[p.seriesIndex].key;
      if (key !== null) extra[volumeMode] = key;
      return wallHref(extra);
    },
    table() {
      const v = F.volume;
      const parts = volumeSeries();
      const heads = [W.Period, ...(volumeMode === "total" ? [] : parts.map((p) => p.name))];
      heads.push(W.Total, W["Previous period"]);
      const rows = v.buckets.map((b, i) => {
        const link = { text: when(b), href: wallHref(bucketRange(v.buckets, i, F.period.until)) };
        const cells = volumeMode === "total" ? [] : parts.map((p) => p.data[i]);
        return [link, ...cells, v.total[i], v.previous_total[i]];
      });
      return table(heads, rows, ["t", ...heads.slice(1).map(() => "n")]);
    },
  };

  // --- Sentiment ---------------------------------------------------------------------------
  const moodName = { positive: W.Positive, neutral: W.Neutral, negative: W.Negative };
  function shares(i) {
    const s = F.sentiment;
    const all = s.positive[i] + s.neutral[i] + s.negative[i];
    return Object.fromEntries(MOODS.map((m) => [m, all ? s[m][i] / all : null]));
  }
  charts["sentiment-time"] = {
    option() {
      const s = F.sentiment;
      const series = MOODS.map((m) => ({
        type: "bar",
        name: moodName[m],
        stack: "share",
        color: COLORS[m],
        data: s.buckets.map((_, i) => shares(i)[m]),
        tooltip: { valueFormatter: (x) => (x === null ? "–" : percents.format(x)) },
      }));
      series.push({
        type: "line",
        name: W["Net sentiment"],
        yAxisIndex: 1,
        color: "#1e293b",
        data: s.net,
        symbolSize: 6,
        tooltip: { valueFormatter: (x) => (x === null ? "–" : changes.format(x)) },
      });
      return base({
        tooltip: { trigger: "axis", confine: true },
        grid,
        xAxis: timeAxis(s.buckets),
        yAxis: [
          { type: "value", max: 1, axisLabel: { formatter: (x) => percents.format(x) } },
          {
            type: "value",
            min: -1,
            max: 1,
            name: W["Net sentiment"],
            splitLine: { show: false },
            axisLabel: { formatter: (x) => changes.format(x) },
          },
        ],
        series,
      });
    },
    click(p) {
      const extra = bucketRange(F.sentiment.buckets, p.dataIndex, F.period.until);
      if (p.seriesIndex < MOODS.length) extra.sentiment = MOODS[p.seriesIndex];
      return wallHref(extra);
    },
    table() {
      const s = F.sentiment;
      const rows = s.buckets.map((b, i) => [
        { text: when(b), href: wallHref(bucketRange(s.buckets, i, F.period.until)) },
        s.positive[i],
        s.neutral[i],
        s.negative[i],
        s.net[i],
      ]);
      return table(
        [W.Period, W.Positive, W.Neutral, W.Negative, W["Net sentiment"]],
        rows,
        ["t", "n", "n", "n", "c"],
      );
    },
  };
  // Names and shares go in the legend ("Mastodon 45 %"), counts in the tooltip: labels drawn
  // round a donut ran into each other on thin slices, whatever the width or the language.
  function donut(entries) {
    const all = entries.reduce((n, e) => n + (e.value || 0), 0);
    const shares = new Map(entries.map((e) => [e.name, all ? e.value / all : 0]));
    return base({
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: (p) => `${p.marker} ${p.name}: ${number(p.value)} (${percents.format(p.percent / 100)})`,
      },
      legend: {
        type: "scroll",
        bottom: 0,
        formatter: (name) => `${name} ${percents.format(shares.get(name) || 0)}`,
      },
      series: [
        {
          type: "pie",
          radius: ["40%", "68%"],
          center: ["50%", "44%"],
          label: { show: false },
          labelLine: { show: false },
          emphasis: { label: { show: false }, scaleSize: 6 },
          data: entries,
        },
      ],
    });
  }
  charts["sentiment-split"] = {
    option() {
      const split = F.sentiment.split;
      return donut(
        MOODS.map((m) => ({ name: moodName[m], value: split[m], itemStyle: { color: COLORS[m] } })),
      );
    },
    click(p) {
      return wallHref({ sentiment: MOODS[p.dataIndex] });
    },
    table() {
      const split = F.sentiment.split;
      const all = MOODS.reduce((n, m) => n + split[m], 0);
      const rows = MOODS.map((m) => [
        { text: moodName[m], href: wallHref({ sentiment: m }) },
        split[m],
        all ? split[m] / all : null,
      ]);
      return table([W.Sentiment, W.Count, W.Share], rows, ["t", "n", "p"]);
    },
  };

  // --- Share of voice ----------------------------------------------------------------------
  const NOTHING = "Nothing to show on this period.";
  const NO_TOPICS = "Tick the topics to compare above (a brand and its competitors).";
  const sov = () => F.share_of_voice;
  const sovEmpty = () => !sov().topics.length && NO_TOPICS;
  charts["sov-time"] = {
    empty: sovEmpty,
    option() {
      const s = sov();
      const sums = s.buckets.map((_, i) => s.topics.reduce((n, t) => n + t.series[i], 0));
      return base({
        tooltip: {
          trigger: "axis",
          confine: true,
          valueFormatter: (x) => (x === null ? "–" : percents.format(x)),
        },
        grid,
        xAxis: timeAxis(s.buckets),
        yAxis: { type: "value", max: 1, axisLabel: { formatter: (x) => percents.format(x) } },
        series: s.topics.map((t) => ({
          type: "line",
          name: t.name,
          stack: "sov",
          areaStyle: {},
          color: t.color || undefined,
          symbolSize: 6,
          emphasis: { focus: "series" },
          data: t.series.map((n, i) => (sums[i] ? n / sums[i] : null)),
        })),
      });
    },
    click(p) {
      const s = sov();
      const extra = bucketRange(s.buckets, p.dataIndex, F.period.until);
      extra.topic = s.topics[p.seriesIndex].id;
      return wallHref(extra);
    },
    table() {
      const s = sov();
      const rows = s.buckets.map((b, i) => [
        { text: when(b), href: wallHref(bucketRange(s.buckets, i, F.period.until)) },
        ...s.topics.map((t) => t.series[i]),
      ]);
      return table([W.Period, ...s.topics.map((t) => t.name)], rows, [
        "t",
        ...s.topics.map(() => "n"),
      ]);
    },
  };
  charts["sov-total"] = {
    empty: sovEmpty,
    option() {
      return donut(
        sov().topics.map((t) => ({
          name: t.name,
          value: t.total,
          itemStyle: t.color ? { color: t.color } : undefined,
        })),
      );
    },
    click(p) {
      return wallHref({ topic: sov().topics[p.dataIndex].id });
    },
    table() {
      const rows = sov().topics.map((t) => [
        { text: t.name, href: wallHref({ topic: t.id }) },
        t.total,
        t.previous,
        t.previous ? (t.total - t.previous) / t.previous : null,
        t.share,
      ]);
      return table([W.Topic, W.Total, W.Previous, W.Change, W.Share], rows, [
        "t",
        "n",
        "n",
        "c",
        "p",
      ]);
    },
  };

  // --- Tops and mixes ----------------------------------------------------------------------
  const CHART_TOP = 10; // bars a chart shows; its table lists the whole top
  // An item links to the wall only when the figures say how to select its signals (a map
  // point by its place name, `place=`; not an unnamed point nor an unknown language): a click
  // never lands on a wall that shows more than the item counts.
  function itemHref(item) {
    return item.wall && Object.keys(item.wall).length ? wallHref(item.wall) : null;
  }
  const pointHref = itemHref;
  const languages =
    typeof Intl.DisplayNames === "function"
      ? new Intl.DisplayNames([locale], { type: "language", fallback: "code" })
      : null;
  function languageName(code) {
    if (!code || code === "unknown") return W["Unknown language"];
    try {
      return languages ? languages.of(code) : code;
    } catch {
      return code; // not a language code Intl knows
    }
  }
  function topChart(list, byReach) {
    return {
      option() {
        const items = (F.top[list] || []).slice(0, CHART_TOP);
        const names = items.map((it) => it.label);
        const series = byReach
          ? [{ type: "bar", name: W.Followers, data: items.map((it) => it.reach || 0) }]
          : [
              { type: "bar", name: W.Signals, data: items.map((it) => it.count) },
              {
                type: "bar",
                name: W["Previous period"],
                color: COLORS.previous,
                data: items.map((it) => it.previous),
              },
            ];
        return base({
          tooltip: { trigger: "axis", confine: true, valueFormatter: number },
          grid: { left: 8, right: 24, top: 8, bottom: 40, containLabel: true },
          xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (v) => numbers.format(v), hideOverlap: true } },
          yAxis: {
            type: "category",
            inverse: true,
            data: names,
            axisLabel: { width: phone() ? 96 : 140, overflow: "truncate" },
          },
          series,
        });
      },
      click(p) {
        const item = (F.top[list] || [])[p.dataIndex];
        return item && itemHref(item);
      },
      table() {
        const items = F.top[list] || [];
        const withType = list === "entities";
        const rows = items.map((it, i) => [
          String(i + 1),
          { text: it.label, href: itemHref(it) },
          ...(withType ? [it.type || ""] : []),
          it.count,
          it.previous,
          it.change,
          ...(byReach ? [it.reach] : []),
        ]);
        const cols = ["#", W[HEADS[list]], ...(withType ? [W.Type] : []), W.Count, W.Previous, W.Change];
        if (byReach) cols.push(W.Followers);
        const kinds = ["t", "t", ...(withType ? ["t"] : []), "n", "n", "c", ...(byReach ? ["n"] : [])];
        return table(cols, rows, kinds);
      },
      empty: () => !(F.top[list] || []).length && NOTHING,
    };
  }
  const HEADS = {
    authors_volume: "Author",
    authors_reach: "Author",
    sites: "Site",
    hashtags: "Hashtag",
    mentions: "Mention",
    terms: "Term",
    entities: "Entity",
  };
  Object.keys(HEADS).forEach((list) => {
    charts["top-" + list] = topChart(list, list === "authors_reach");
  });
  function mixChart(kind) {
    const name = (it) => (kind === "channel" ? valueName("channel", it.key) : languageName(it.key));
    return {
      option() {
        return donut(
          F.mix[kind].map((it) => ({
            name: name(it),
            value: it.count,
            itemStyle: kind === "channel" ? { color: channelColour(it.key) } : undefined,
          })),
        );
      },
      click(p) {
        return itemHref(F.mix[kind][p.dataIndex]);
      },
      table() {
        const items = F.mix[kind];
        const all = items.reduce((n, it) => n + it.count, 0);
        const rows = items.map((it) => [
          { text: name(it), href: itemHref(it) },
          it.count,
          all ? it.count / all : null,
          it.previous,
          it.change,
        ]);
        const head = kind === "channel" ? W.Channel : W.Language;
        return table([head, W.Count, W.Share, W.Previous, W.Change], rows, ["t", "n", "p", "n", "c"]);
      },
      empty: () => !F.mix[kind].length && NOTHING,
    };
  }
  charts["mix-channel"] = mixChart("channel");
  charts["mix-lang"] = mixChart("lang");

  // --- Map: offline country shapes, points clustered by screen cell at the current zoom ------
  const CELL = 44; // px: points closer than this on screen are drawn as one cluster
  const MAX_ZOOM = 80;
  // The first view never goes closer than a region (about 15° across): a week at one place
  // framed on its single point showed a street-sized patch of sea and no country to read.
  const FRAME_ZOOM = 24;
  let worldLoaded = null;
  function loadWorld(url) {
    if (!worldLoaded) {
      worldLoaded = fetch(url)
        .then((r) => r.json())
        .then((geo) => {
          window.echarts.registerMap("world", geo);
          return geo;
        });
    }
    return worldLoaded;
  }
  function countryName(geo, code, fallback) {
    const f = geo.features.find((x) => x.properties.name === code);
    return f ? f.properties[lang] || fallback : fallback;
  }
  // The view that frames the points (the whole world at zoom 1): one can zoom out from it.
  function framing(points) {
    if (!points.length) return { zoom: 1 };
    const lons = points.map((p) => p.lon);
    const lats = points.map((p) => p.lat);
    const [west, east] = [Math.min(...lons), Math.max(...lons)];
    const [south, north] = [Math.min(...lats), Math.max(...lats)];
    const span = Math.max((east - west) / 360, (north - south) / 170, 4 / 360);
    return {
      center: [(west + east) / 2, (south + north) / 2],
      zoom: Math.max(1, Math.min(FRAME_ZOOM, 0.6 / span)),
    };
  }
  // Greedy clustering on screen: the largest places first, each one joins the first cluster
  // whose first place lies within CELL pixels, else starts its own (no grid seams). Map points
  // are 200 at most, so this stays well under a millisecond.
  function cluster(chart) {
    const groups = [];
    const byCount = [...F.map.points].sort((a, b) => b.count - a.count);
    for (const p of byCount) {
      const px = chart.convertToPixel({ geoIndex: 0 }, [p.lon, p.lat]);
      if (!px) continue;
      let g = groups.find((c) => Math.hypot(c.x - px[0], c.y - px[1]) < CELL);
      if (!g) groups.push((g = { x: px[0], y: px[1], points: [], count: 0, lon: 0, lat: 0 }));
      g.points.push(p);
      g.count += p.count;
      g.lon += p.lon * p.count;
      g.lat += p.lat * p.count;
    }
    return groups.map((g) => {
      const one = g.points.length === 1;
      const w = g.count || 1;
      return {
        name: one ? g.points[0].label : `${number(g.points.length)} ${W.places}`,
        value: [g.lon / w || g.points[0].lon, g.lat / w || g.points[0].lat, g.count],
        points: g.points,
        symbolSize: Math.min(48, 10 + 6 * Math.sqrt(g.count)),
        label: { show: !one || g.count > 1 },
      };
    });
  }
  charts.map = {
    async option(el) {
      const geo = await loadWorld(D.world);
      const counts = F.map.countries;
      const top = counts.reduce((n, it) => Math.max(n, it.count), 0);
      return base({
        tooltip: {
          trigger: "item",
          confine: true,
          formatter: (p) =>
            p.seriesType === "scatter"
              ? `${p.name}: ${number(p.value[2])}`
              : `${countryName(geo, p.name, p.name)}: ${number(p.value || 0)}`,
        },
        legend: { bottom: 0, right: 8, left: "auto", data: [W.Places] },
        visualMap: {
          type: "continuous",
          min: 0,
          max: Math.max(top, 1),
          seriesIndex: 0,
          calculable: false,
          left: 8,
          bottom: 8,
          itemHeight: phone() ? 60 : 100,
          text: [number(Math.max(top, 1)), "0"],
          inRange: { color: ["#fde7d9", "#c2410c"] },
          formatter: (v) => number(Math.round(v)),
        },
        geo: {
          map: "world",
          roam: true,
          ...framing(F.map.points),
          scaleLimit: { min: 1, max: MAX_ZOOM },
          itemStyle: { areaColor: "#eef2f7", borderColor: "#94a3b8", borderWidth: 0.5 },
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#fed7aa" } },
        },
        series: [
          {
            type: "map",
            geoIndex: 0,
            name: W["Signals per country"],
            data: counts.map((it) => ({ name: it.key, value: it.count })),
          },
          {
            type: "scatter",
            coordinateSystem: "geo",
            name: W.Places,
            color: "#1d4ed8",
            itemStyle: { opacity: 0.85, borderColor: "#fff", borderWidth: 1 },
            label: {
              position: "inside",
              color: "#fff",
              fontSize: 11,
              formatter: (p) => number(p.value[2]),
            },
            data: [],
          },
        ],
      });
    },
    after(chart) {
      const redraw = () => chart.setOption({ series: [{}, { data: cluster(chart) }] });
      redraw();
      let pending = 0;
      chart.on("georoam", () => {
        cancelAnimationFrame(pending);
        pending = requestAnimationFrame(redraw);
      });
      return redraw;
    },
    click(p, chart, redraw) {
      if (p.seriesType === "map") {
        const item = F.map.countries.find((it) => it.key === p.name);
        return item && itemHref(item);
      }
      const points = p.data.points;
      if (points.length === 1) return pointHref(points[0]);
      // A cluster opens on its points rather than on a mixed wall: zoom until they separate.
      const zoom = chart.getOption().geo[0].zoom || 1;
      chart.setOption({ geo: { center: p.value.slice(0, 2), zoom: Math.min(MAX_ZOOM, zoom * 3) } });
      redraw();
      return null;
    },
    table() {
      const wrap = document.createElement("div");
      const places = F.map.points.map((p) => [
        { text: p.label, href: pointHref(p) },
        p.lat,
        p.lon,
        p.count,
      ]);
      wrap.appendChild(table([W.Place, W.Latitude, W.Longitude, W.Signals], places, ["t", "d", "d", "n"]));
      const countries = F.map.countries.map((it) => [
        { text: it.label || it.key, href: itemHref(it) },
        it.count,
        it.previous,
        it.change,
      ]);
      wrap.appendChild(table([W.Country, W.Signals, W.Previous, W.Change], countries, ["t", "n", "n", "c"]));
      return wrap;
    },
    empty: () => !F.map.points.length && !F.map.countries.length && NOTHING,
  };

  // --- Start charts as they come into view -------------------------------------------------
  const live = new Map(); // element -> echarts instance
  const echartsLocale = lang === "fr" ? "FR" : "EN";
  async function start(el) {
    const spec = charts[el.dataset.chart];
    if (!spec || live.has(el)) return;
    const empty = spec.empty && spec.empty();
    if (empty) {
      el.classList.add("chart-empty");
      el.removeAttribute("role");
      el.textContent = W[empty];
      return;
    }
    const chart = window.echarts.init(el, null, { renderer: "canvas", locale: echartsLocale });
    live.set(el, chart);
    chart.setOption(await spec.option(el));
    const state = spec.after ? spec.after(chart) : null;
    chart.on("click", (p) => go(spec.click(p, chart, state)));
    el.dataset.ready = "true";
  }
  const seen = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (e.isIntersecting) {
          seen.unobserve(e.target);
          start(e.target);
        }
      }
    },
    { rootMargin: "200px" },
  );
  document.querySelectorAll(".dash-chart[data-chart]").forEach((el) => seen.observe(el));

  function fillTable(details) {
    const spec = charts[details.dataset.table];
    const box = details.querySelector(".scroll");
    if (!spec || !box) return;
    box.replaceChildren(spec.table());
  }
  document.querySelectorAll("details.table-alt").forEach((d) => {
    d.addEventListener("toggle", () => {
      if (d.open) fillTable(d);
    });
  });

  // The volume's split: total, or stacked by channel, sentiment or visibility.
  document.querySelectorAll("#volume [data-mode]").forEach((button) => {
    button.addEventListener("click", () => {
      volumeMode = button.dataset.mode;
      document
        .querySelectorAll("#volume [data-mode]")
        .forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      const el = document.querySelector('.dash-chart[data-chart="volume"]');
      const chart = live.get(el);
      if (chart) chart.setOption(charts.volume.option(), { notMerge: true });
      const details = document.querySelector('details[data-table="volume"]');
      if (details.open) fillTable(details);
    });
  });

  // The range form sends a preset or dates, never both (the server refuses both).
  const form = document.querySelector("form.range");
  if (form) {
    const preset = form.elements.namedItem("range");
    const days = [form.elements.namedItem("since"), form.elements.namedItem("until")];
    days.forEach((input) =>
      input.addEventListener("change", () => {
        if (input.value) preset.value = "";
      }),
    );
    form.addEventListener("submit", () => {
      if (preset.value) days.forEach((d) => (d.disabled = true));
      else preset.disabled = true;
    });
  }

  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => live.forEach((chart) => chart.resize()), 150);
  });
})();
