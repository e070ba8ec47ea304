// On a phone (below 576 px; the filters fold below 768 px, the navigation below 1200 px):
// - the navbar's menu opens on its toggler and closes when the page changes;
// - the filter drawer opens on the filter summary and closes on its ×, a tap beside it, or a new view;
// - every chart's legend goes under the plot, below its axis labels, and a finger drag scrolls the
//   page instead of zooming; a tap shows a point's values as hovering does. The figures themselves
//   stay as built: only the browser's copy is changed, fitting what was placed for a desktop's
//   width: as many date labels as fit, number labels that would stand on end thinned, category
//   labels that touch tilted, a heatmap's long row names without their bracketed figure, room for
//   the numbers beside horizontal bars, a note or an axis title too wide wrapped, a caption that
//   overprints another moved down a line or left out.
// One draw per chart: the copy is changed before dcc.Graph's first Plotly.react, from sizes
// estimated without the DOM (the chart's width, its margins, and text widths measured on a canvas:
// no layout is forced); Plotly puts a legend with yref 'container' under the axis labels itself.
// After the draw a check reads the result (no write) and relayouts only what the estimate missed.
// Crossing 576 px (a phone turned) draws every chart again from its figure as built.
(function () {
  var ns = window.dash_clientside = window.dash_clientside || {};
  var DRAWER = 'offcanvas-md offcanvas-bottom tpd-filter-drawer';
  ns.tpd = Object.assign(ns.tpd || {}, {
    menu: function (clicks, pathname, open) {
      var trigger = ((ns.callback_context.triggered || [])[0] || {}).prop_id || '';
      return trigger.indexOf('shell-toggler') === 0 ? !open : false;
    },
    drawer: function (opened, closed, beside) {
      var trigger = ((ns.callback_context.triggered || [])[0] || {}).prop_id || '';
      var open = trigger.indexOf('filter-summary') === 0;
      document.body.classList.toggle('tpd-drawer-open', open);
      return [DRAWER + (open ? ' show' : ''), 'tpd-filter-backdrop' + (open ? ' show' : '')];
    }
  });

  var PHONE = window.matchMedia('(max-width: 575.98px)');
  // What the phone's changes cost, for benchmarks/page_trace.py and the tests: charts changed
  // before their first draw, and relayouts the check after it still needed.
  var tally = window.tpdPhone = {fitted: 0, relayouts: 0, late: []};

  // ---------------------------------------------------------------- text widths, off the DOM

  var canvas = null;
  function textWidth(text, size, family) {
    // The widest line of a Plotly text (<br> between lines, tags and entities dropped), in px.
    canvas = canvas || document.createElement('canvas').getContext('2d');
    canvas.font = size + 'px ' + (family || 'sans-serif');
    return String(text == null ? '' : text).split(/<br\s*\/?>/i).reduce(function (widest, line) {
      var plain = line.replace(/<[^>]*>/g, '').replace(/&nbsp;/g, ' ').replace(/&[a-z#0-9]+;/gi, 'x');
      return Math.max(widest, canvas.measureText(plain).width);
    }, 0);
  }

  function wrapText(text, width, size, family) {
    // Plain text (no tags) cut into lines no wider than `width` px: CJK anywhere, Latin at spaces.
    var tokens = text.match(/[\u2e80-\uffff]|[^\s\u2e80-\uffff]+\s*|\s+/g) || [text];
    var lines = [], line = '';
    tokens.forEach(function (tok) {
      if (line && textWidth((line + tok).trimEnd(), size, family) > width) { lines.push(line.trimEnd()); line = tok.trimStart(); }
      else line += tok;
    });
    if (line) lines.push(line.trimEnd());
    return lines;
  }

  // ---------------------------------------------------------------- the figure, as Plotly will read it

  function get(obj, path) {
    return path.split('.').reduce(function (o, k) { return o == null ? undefined : o[k]; }, obj);
  }

  function pick(layout, tmpl, paths, fallback) {
    // The first of `paths` set in the layout, then in its template, else `fallback`.
    for (var i = 0; i < paths.length; i++) {
      var v = get(layout, paths[i]);
      if (v !== undefined && v !== null) return v;
      v = get(tmpl, paths[i]);
      if (v !== undefined && v !== null) return v;
    }
    return fallback;
  }

  var decoded = new WeakMap();
  var TYPED = {f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array, i2: Int16Array,
               u2: Uint16Array, i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray};
  function values(arr) {
    // A trace's coordinates: a list, or plotly.py's typed array ({dtype, bdata}: numbers in base64).
    if (Array.isArray(arr)) return arr;
    if (!arr || typeof arr.bdata !== 'string' || !TYPED[arr.dtype] || arr.shape) return null;
    if (!decoded.has(arr)) {
      var bytes = Uint8Array.from(atob(arr.bdata), function (c) { return c.charCodeAt(0); });
      decoded.set(arr, Array.from(new TYPED[arr.dtype](bytes.buffer)));
    }
    return decoded.get(arr);
  }

  function axisKey(ref) { return ref.charAt(0) + 'axis' + ref.slice(1); }   // 'x2' -> 'xaxis2'

  function tracesOn(data, key) {
    var letter = key.charAt(0);
    return data.filter(function (tr) {
      return axisKey(tr[letter + 'axis'] || letter) === key;
    });
  }

  function coords(tr, letter) {
    // The coordinates a trace puts on its `letter` axis (a horizontal bar's values are its x).
    return values(tr[letter]);
  }

  var DATE = /^\d{4}-\d{2}(-\d{2}([ T][\d:.]+)?)?$/;
  function axisType(axis, traces, letter) {
    if (axis && axis.type) return axis.type;
    if (axis && (axis.categoryarray || axis.categoryorder === 'array')) return 'category';
    var seen = null;
    traces.some(function (tr) { seen = coords(tr, letter); return seen && seen.length; });
    if (!seen) return traces.length ? 'linear' : null;
    var sample = seen.slice(0, 50).filter(function (v) { return v !== null && v !== undefined && v !== ''; });
    if (!sample.length) return 'linear';
    if (sample.every(function (v) { return typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v))); })) return 'linear';
    if (sample.every(function (v) { return typeof v === 'string' && DATE.test(v); })) return 'date';
    return 'category';
  }

  function categories(axis, traces, letter) {
    if (axis && Array.isArray(axis.ticktext) && Array.isArray(axis.tickvals)) return axis.ticktext.map(String);
    if (axis && Array.isArray(axis.categoryarray)) return axis.categoryarray.map(String);
    var seen = [], index = {};
    traces.forEach(function (tr) {
      (coords(tr, letter) || []).forEach(function (v) {
        var k = String(v);
        if (!index[k]) { index[k] = true; seen.push(k); }
      });
    });
    return seen;
  }

  function dateLabel(format, lang) {
    // A label of the widest kind `format` gives (d3's time format), for its width.
    if (!format) return 'Nov 16';
    return format.replace(/%-?([a-zA-Z])/g, function (m, c) {
      return {Y: '2026', y: '26', m: '12', d: '28', e: '28', b: 'Sep', B: 'September', H: '23', M: '59',
              S: '59', a: 'Wed', A: 'Wednesday', j: '365', q: '4', p: 'PM', I: '12'}[c] || '00';
    });
  }

  function numberLabel(v, axis) {
    var format = (axis && axis.tickformat) || '';
    var digits = /\.(\d+)/.exec(format), n = digits ? Number(digits[1]) : 0;
    var text = format.indexOf('%') >= 0 ? (v * 100).toFixed(n) + '%'
      : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(Math.round(v * 100) / 100);
    return ((axis && axis.tickprefix) || '') + text + ((axis && axis.ticksuffix) || '');
  }

  function extent(traces, letter) {
    var lo = Infinity, hi = -Infinity;
    traces.forEach(function (tr) {
      (coords(tr, letter) || []).forEach(function (v) {
        var n = typeof v === 'number' ? v : Number(v);
        if (isFinite(n)) { lo = Math.min(lo, n); hi = Math.max(hi, n); }
      });
    });
    return hi >= lo ? [Math.min(lo, 0), hi] : null;
  }

  // ---------------------------------------------------------------- the phone's copy of a figure

  function fitted(gd, figure) {
    // The phone's copy of `figure` (the figure given to Plotly itself is not changed): a new layout,
    // the same traces.
    var source = figure.layout || {};
    if (source.dragmode === false) return figure;          // already the phone's copy (Plotly.react drawing through newPlot)
    var data = Array.isArray(figure.data) ? figure.data : [];
    var layout = Object.assign({}, source);
    var tmpl = get(source, 'template.layout') || {};
    var family = pick(layout, tmpl, ['font.family'], 'sans-serif');
    var fontSize = pick(layout, tmpl, ['font.size'], 12);
    var margin = Object.assign({l: 80, r: 80, t: 100, b: 80}, tmpl.margin || {}, source.margin || {});
    var width = gd.clientWidth || document.documentElement.clientWidth - 48;
    var height = source.height || 450;

    layout.dragmode = false;
    if (pick(layout, tmpl, ['hovermode'], 'closest') === false) layout.hovermode = 'closest';
    // Under the plot, below its axis labels: a legend on the container's bottom edge reserves its
    // own margin, which Plotly adds to the labels' (one draw, nothing measured).
    layout.legend = Object.assign({}, source.legend, {orientation: 'h', x: 0, xanchor: 'left',
                                                      xref: 'paper', y: 0, yanchor: 'bottom', yref: 'container'});

    var keys = {};
    Object.keys(source).forEach(function (k) { if (/^[xy]axis\d*$/.test(k)) keys[k] = true; });
    data.forEach(function (tr) {
      keys[axisKey(tr.xaxis || 'x')] = true;
      keys[axisKey(tr.yaxis || 'y')] = true;
    });
    var axes = {};
    Object.keys(keys).forEach(function (k) {
      var letter = k.charAt(0), axis = source[k] || {}, traces = tracesOn(data, k);
      axes[k] = {key: k, letter: letter, axis: axis, traces: traces, type: axisType(axis, traces, letter),
                 size: pick(axis, get(tmpl, k) || {}, ['tickfont.size'], null) || pick(layout, tmpl, ['font.size'], 12),
                 domain: axis.domain || [0, 1]};
    });
    function update(k, attrs) { layout[k] = Object.assign({}, layout[k], attrs); }

    // The plot's width: the chart's less its margins, widened where the y axes' labels and titles
    // need more (their automargin).
    var side = {l: margin.l, r: margin.r};
    Object.keys(axes).forEach(function (k) {
      var a = axes[k], axis = a.axis;
      if (a.letter !== 'y' || axis.visible === false) return;
      var need = 6;
      if (axis.showticklabels !== false) {
        var labels = a.type === 'category' ? categories(axis, a.traces, 'y').map(function (n) {
          return (axis.tickprefix || '') + n + (axis.ticksuffix || '');
        }) : a.type === 'linear' ? yLabels(axis, a.traces) : [];
        need += labels.reduce(function (w, n) { return Math.max(w, textWidth(n, a.size, family)); }, 0);
      }
      var title = typeof axis.title === 'string' ? axis.title : get(axis, 'title.text');
      if (title) {
        need += Math.round(1.3 * (get(axis, 'title.font.size') || pick(layout, tmpl, ['yaxis.title.font.size', 'font.size'], 14)))
          + (get(axis, 'title.standoff') || get(tmpl, 'yaxis.title.standoff') || 0);
      }
      var at = axis.side === 'right' ? 'r' : 'l';
      if (pick(axis, get(tmpl, 'yaxis') || {}, ['automargin'], false)) side[at] = Math.max(side[at], need);
    });
    var left = side.l, plotW = Math.max(40, width - side.l - side.r);

    // Numbers beside horizontal bars first: the value axis they may lengthen is then thinned.
    roomForBarText(layout, data, axes, plotW, side, family);
    Object.keys(axes).forEach(function (k) { if (layout[k]) axes[k].axis = layout[k]; });

    Object.keys(axes).forEach(function (k) {
      var a = axes[k], axis = a.axis, span = a.domain[1] - a.domain[0], w = plotW * span;
      if (a.letter !== 'x' || axis.visible === false || axis.showticklabels === false) return;
      if (a.type === 'date') {
        // As many date labels as fit side by side.
        var widest = textWidth(dateLabel(axis.tickformat), a.size, family);
        var room = Math.max(2, Math.floor(w / (widest + 14)));
        if (axis.dtick === undefined) { if (axis.tickmode !== 'array') update(k, {nticks: room}); return; }
        var range = axis.range || dateExtent(a.traces);
        if (!range) return;
        var months = typeof axis.dtick === 'string' && axis.dtick.charAt(0) === 'M';
        var step = months ? parseInt(axis.dtick.slice(1), 10) : Number(axis.dtick);
        var stepMs = months ? step * 30.44 * 86400000 : step;
        var factor = Math.ceil((new Date(range[1]) - new Date(range[0])) / stepMs / room);
        if (step > 0 && factor > 1) update(k, {dtick: months ? 'M' + step * factor : step * factor});
      } else if (a.type === 'category') {
        // Names side by side that would run into each other (< 30 min, 0.5–1 h …) are tilted.
        if (axis.tickangle === -45) return;
        var names = categories(axis, a.traces, 'x');
        // Every name, or every dtick-th; Plotly thins a long list of its own accord (left as it is).
        var stride = typeof axis.dtick === 'number' && axis.dtick >= 1 ? Math.round(axis.dtick) : 1;
        if (!names.length || (stride === 1 && names.length > 16)) return;
        var slot = w * stride / names.length;
        var shown = names.filter(function (n, i) { return i % stride === 0; });
        var touch = shown.some(function (n, i) {
          return i > 0 && (textWidth(n, a.size, family) + textWidth(shown[i - 1], a.size, family)) / 2 + 2 > slot;
        });
        if (touch) update(k, {tickangle: -45});
      } else if (a.type === 'linear') {
        // Number labels that would stand on end (no room flat, nor at 30°) keep every other one.
        var ticks = linearTicks(axis, a.traces, w);
        if (!ticks) {
          // Plotly's own steps (at least four on any length): fewer where even those cannot stand flat.
          var ends = Array.isArray(axis.range) ? axis.range : extent(a.traces, 'x');
          if (!ends || axis.nticks) return;
          var label = Math.max(textWidth(numberLabel(ends[0], axis), a.size, family), textWidth(numberLabel(ends[1], axis), a.size, family));
          var fit = Math.floor(w / (label + 0.8 * a.size)) + 1;
          if (fit < 5) update(k, {nticks: Math.max(2, fit)});
          return;
        }
        // Thinned again while they still would not stand flat, down to two.
        var thinned = axis;
        for (var round = 0; round < 4 && ticks && ticks.labels.length >= 3; round++) {
          var widestLabel = ticks.labels.reduce(function (m, s) { return Math.max(m, textWidth(s, a.size, family)); }, 0);
          if (ticks.gap >= Math.min(widestLabel + 0.8 * a.size, 2.5 * a.size)) break;
          thinned = Object.assign({}, thinned, everyOther(thinned));
          ticks = linearTicks(thinned, a.traces, w);
        }
        if (thinned !== axis) layout[k] = thinned;
      }
    });

    // A heatmap's row names with the row's figure in brackets (石门溶洞景区（47.93）) that take over
    // a third of the width keep the name only; a tap still shows the whole label.
    data.forEach(function (tr) {
      if (tr.type !== 'heatmap' || !Array.isArray(tr.y)) return;
      var k = axisKey(tr.yaxis || 'y'), size = (axes[k] || {}).size || fontSize;
      var wide = tr.y.some(function (y) { return textWidth(y, size, family) > width / 3; });
      var names = tr.y.map(function (y) { return String(y).replace(/\s*[（(][^（）()]*[）)]\s*$/, ''); });
      if (!wide || names.every(function (n, i) { return n === String(tr.y[i]); })) return;
      update(k, {tickvals: tr.y, ticktext: names});
    });

    tidyAnnotations(layout, axes, {width: width, left: left, plotW: plotW, margin: margin, height: height}, family, tmpl);
    tally.fitted += 1;
    return Object.assign({}, figure, {layout: layout});
  }

  function yLabels(axis, traces) {
    // The widest labels a number axis may show: its listed ticks, or its range's (data's) ends.
    if (Array.isArray(axis.ticktext)) return axis.ticktext.map(String);
    if (Array.isArray(axis.tickvals)) return axis.tickvals.map(function (v) { return numberLabel(v, axis); });
    var range = Array.isArray(axis.range) ? axis.range : extent(traces, 'y');
    return range ? range.map(function (v) { return numberLabel(v, axis); }) : [];
  }

  function everyOther(axis) {
    // A number axis's labels, every other one: listed ticks (70% 80% … 100%) counted back from the
    // last, a set step (25 %) doubled, else three.
    if (Array.isArray(axis.tickvals)) {
      var listed = axis.tickvals, keep = listed.map(function (v, i) { return (listed.length - 1 - i) % 2 === 0; });
      var thinned = {tickvals: listed.filter(function (v, i) { return keep[i]; })};
      if (Array.isArray(axis.ticktext)) thinned.ticktext = axis.ticktext.filter(function (v, i) { return keep[i]; });
      return thinned;
    }
    return typeof axis.dtick === 'number' ? {dtick: axis.dtick * 2} : {nticks: 3};
  }

  function dateExtent(traces) {
    var lo = null, hi = null;
    traces.forEach(function (tr) {
      (values(tr.x) || []).forEach(function (v) {
        if (typeof v !== 'string' || !DATE.test(v)) return;
        if (lo === null || v < lo) lo = v;
        if (hi === null || v > hi) hi = v;
      });
    });
    return lo === null ? null : [lo, hi];
  }

  function linearTicks(axis, traces, w) {
    // The labels a number axis will show where they are set (listed, or a step over a range), and
    // the room between two of them in px.
    var range = Array.isArray(axis.range) ? axis.range : extent(traces, 'x');
    if (Array.isArray(axis.tickvals)) {
      var vals = axis.tickvals.filter(function (v) { return !range || (v >= Math.min(range[0], range[1]) && v <= Math.max(range[0], range[1])); });
      var step = Infinity;
      vals.forEach(function (v, i) { if (i) step = Math.min(step, Math.abs(v - vals[i - 1])); });
      var span = range ? Math.abs(range[1] - range[0]) : Math.abs(vals[vals.length - 1] - vals[0]);
      return {labels: axis.tickvals.map(function (v, i) {
        return Array.isArray(axis.ticktext) && axis.ticktext[i] !== undefined ? String(axis.ticktext[i]) : numberLabel(v, axis);
      }), gap: isFinite(step) && span ? w * step / span : Infinity};
    }
    if (typeof axis.dtick !== 'number' || !(axis.dtick > 0) || !range) return null;
    var labels = [];
    for (var v = Math.ceil(range[0] / axis.dtick) * axis.dtick; v <= range[1] + 1e-9 && labels.length < 60; v += axis.dtick) {
      labels.push(numberLabel(v, axis));
    }
    return {labels: labels, gap: w * axis.dtick / Math.abs(range[1] - range[0])};
  }

  function roomForBarText(layout, data, axes, plotW, margin, family) {
    // Numbers beside horizontal bars that would run past the chart's right edge: the value axis
    // is lengthened so that the longest bar leaves room for its number.
    var a = axes.xaxis;
    if (!a || a.type !== 'linear') return;
    var set = Array.isArray(a.axis.range) && a.axis.autorange !== true ? a.axis.range : null;
    var bars = data.filter(function (tr) {
      return tr.type === 'bar' && tr.orientation === 'h' && axisKey(tr.xaxis || 'x') === 'xaxis' && tr.text !== undefined
        && ['outside', 'auto', undefined].indexOf(Array.isArray(tr.textposition) ? 'outside' : tr.textposition) >= 0;
    });
    if (!bars.length) return;
    var stacked = layout.barmode === 'stack' || layout.barmode === 'relative';
    var ends = {}, hi = 0;
    data.forEach(function (tr) {
      if (tr.type !== 'bar' || tr.orientation !== 'h' || axisKey(tr.xaxis || 'x') !== 'xaxis') return;
      (values(tr.x) || []).forEach(function (v, i) {
        var y = String((values(tr.y) || [])[i]);
        ends[y] = stacked ? (ends[y] || 0) + (Number(v) || 0) : Math.max(ends[y] || 0, Number(v) || 0);
        hi = Math.max(hi, ends[y]);
      });
    });
    if (!(hi > 0)) return;
    var r0 = set ? set[0] : 0, top = set ? set[1] : hi * 1.05;   // Plotly's autorange: 5 % beyond the longest bar
    var over = 0;
    bars.forEach(function (tr) {
      var size = get(tr, 'textfont.size') || get(layout, 'font.size') || get(layout, 'template.layout.font.size') || 12;
      (values(tr.x) || []).forEach(function (v, i) {
        var text = Array.isArray(tr.text) ? tr.text[i] : tr.text;
        var y = String((values(tr.y) || [])[i]);
        var end = ((stacked ? ends[y] : Number(v)) - r0) / (top - r0) * plotW;
        over = Math.max(over, end + 3 + textWidth(text, size, family) + 4 - (plotW + margin.r - 6));   // 4 px to spare
      });
    });
    if (over <= 0 || over >= plotW / 1.6) return;
    layout.xaxis = Object.assign({}, layout.xaxis, {range: [r0, r0 + (top - r0) * plotW / (plotW - 1.6 * over)], autorange: false});
  }

  function tidyAnnotations(layout, axes, box, family, tmpl) {
    // Captions placed for a desktop's width (a trend's 春节 / 国庆 bands, a chart's notes):
    // - one that runs past the chart's right edge is wrapped (at the plot's left edge: moved to the
    //   chart's and wrapped to its width);
    // - one that then still overprints one before it moves down a line, or where that is taken too
    //   or it is a band's name, is left out (the band stays shaded).
    var notes = layout.annotations;
    var plotH = box.height - box.margin.t - box.margin.b;
    var extraTop = 0;
    if (Array.isArray(notes) && notes.length) {
      var placed = [];
      notes = layout.annotations = notes.map(function (a) { return Object.assign({}, a); });
      var boxes = notes.map(function (a) {
        if (a.visible === false || typeof a.text !== 'string') return null;
        var size = get(a, 'font.size') || pick(layout, tmpl, ['font.size'], 12);
        var x = xPixel(a, axes, box);
        if (x === null) return null;
        var width = textWidth(a.text, size, family) + 2 * ((a.borderpad === undefined ? 1 : a.borderpad) + 1);
        var lines = a.text.split(/<br\s*\/?>/i).length;
        if (a.text.indexOf('<') < 0 && a.xref === 'paper' && a.xanchor === 'left' && x + (a.xshift || 0) + width > box.width + 1) {
          // Wrapped where it stands: the plot's left edge is an estimate (the y labels' automargin),
          // and moving the note by it could cut its first characters off the chart.
          var room = box.width - x - (a.xshift || 0) - 8;
          if (room >= 4 * size) {
            var wrapped = wrapText(a.text, room, size, family);
            a.text = wrapped.join('<br>');
            a.align = 'left';
            if (a.yanchor === 'bottom' && a.yref === 'paper' && a.y >= 1) extraTop = Math.max(extraTop, (wrapped.length - 1) * lineHeight(size));
            width = Math.min(room, width);
            lines = wrapped.length;
          }
        }
        var y = yPixel(a, box, plotH);
        if (y === null) return null;
        var h = lines * lineHeight(size) + 2 * ((a.borderpad === undefined ? 1 : a.borderpad) + 1);
        var anchorX = a.xanchor === 'right' ? 1 : a.xanchor === 'center' || !a.xanchor || a.xanchor === 'auto' ? 0.5 : 0;
        var anchorY = a.yanchor === 'bottom' ? 1 : a.yanchor === 'top' ? 0 : 0.5;
        var l = x + (a.xshift || 0) - anchorX * width, t = y - (a.yshift || 0) - anchorY * h;
        return {left: l, right: l + width, top: t, bottom: t + h};
      });
      function clashes(b) {
        return placed.some(function (p) {
          return b.left < p.right + 4 && p.left < b.right + 4 && b.top < p.bottom && p.top < b.bottom;
        });
      }
      boxes.forEach(function (b, i) {
        if (!b) return;
        if (!clashes(b)) { placed.push(b); return; }
        // A note of the chart's own (median, P90 …) moves down a line; a band's name is left out.
        var h = b.bottom - b.top, lower = {left: b.left, right: b.right, top: b.top + h, bottom: b.bottom + h};
        if (notes[i].name !== 'tpd-band' && !clashes(lower)) {
          notes[i].yshift = (notes[i].yshift || 0) - h;
          placed.push(lower);
        } else notes[i].visible = false;
      });
    }
    if (extraTop) layout.margin = Object.assign({}, layout.margin, {t: box.margin.t + extraTop});
    // An x axis's title wider than the chart (Minutes from call to arrival (bins of 5 min)) is wrapped.
    Object.keys(axes).forEach(function (k) {
      var a = axes[k], title = a.axis.title, text = typeof title === 'string' ? title : (title || {}).text;
      if (a.letter !== 'x' || typeof text !== 'string' || text.indexOf('<') >= 0) return;
      var size = get(a.axis, 'title.font.size') || pick(layout, tmpl, ['xaxis.title.font.size', 'font.size'], 14);
      if (textWidth(text, size, family) <= box.width - 16) return;
      var wrapped = wrapText(text, box.width - 24, size, family).join('<br>');
      var base = typeof title === 'string' ? {} : title;
      layout[k] = Object.assign({}, layout[k], {title: Object.assign({}, base, {text: wrapped})});
    });
  }

  function lineHeight(size) { return Math.round(size * 1.3); }

  function xPixel(a, axes, box) {
    // An annotation's x from the chart's left edge, where it can be known before the draw.
    var x = a.x === undefined ? 0.5 : a.x;
    if (a.xref === 'paper') return box.left + Number(x) * box.plotW;
    var k = axisKey(a.xref || 'x'), axis = axes[k];
    if (!axis || !axis.axis.range) return null;
    var r = axis.axis.range, dom = axis.domain;
    var at = axis.type === 'date' ? (new Date(x) - new Date(r[0])) / (new Date(r[1]) - new Date(r[0]))
      : axis.type === 'linear' ? (x - r[0]) / (r[1] - r[0]) : null;
    return at === null || !isFinite(at) ? null : box.left + (dom[0] + at * (dom[1] - dom[0])) * box.plotW;
  }

  function yPixel(a, box, plotH) {
    if (a.yref !== 'paper') return null;
    return box.margin.t + (1 - (a.y === undefined ? 0.5 : a.y)) * plotH;
  }

  // ---------------------------------------------------------------- after the draw: what the estimate missed

  function needs(gd) {
    // What the drawn chart still needs (read, not written): the relayout of what does not fit:
    // number labels standing on end, bar numbers past the right edge, a note past it. (A legend on
    // the container's edge is inside the chart: Plotly shortens the plot to make its room.)
    if (!gd._fullLayout || !gd.layout || !gd.isConnected) return null;
    var svg = gd.querySelector('.main-svg'), full = gd._fullLayout, update = {};
    if (!svg) return null;
    var frame = svg.getBoundingClientRect();
    Object.keys(full).filter(function (k) { return /^xaxis\d*$/.test(k); }).forEach(function (k) {
      var axis = full[k];
      if (axis.type !== 'linear' || !axis._id) return;
      var turned = false;       // Plotly's own turn of labels with no room: a quarter turn
      gd.querySelectorAll('.xaxislayer-above .' + axis._id + 'tick text').forEach(function (n) {
        turned = turned || /rotate\(-?90\b/.test(n.getAttribute('transform') || '');
      });
      if (!turned) return;
      var thinned = everyOther(gd.layout[k] || {});
      Object.keys(thinned).forEach(function (attr) { update[k + '.' + attr] = thinned[attr]; });
    });
    var over = 0;
    gd.querySelectorAll('.barlayer .bartext').forEach(function (n) {
      over = Math.max(over, n.getBoundingClientRect().right - (frame.right - 6));
    });
    var w = (full._size || {}).w, x = full.xaxis;
    if (over > 1 && w && x && x.type === 'linear' && over < w / 1.6) {
      update['xaxis.range'] = [x.range[0], x.range[0] + (x.range[1] - x.range[0]) * w / (w - 1.6 * over)];
    }
    gd.querySelectorAll('.annotation[data-index]').forEach(function (node) {
      var b = node.getBoundingClientRect(), i = node.getAttribute('data-index');
      if (b.width && b.right > frame.right + 8) update['annotations[' + i + '].visible'] = false;
    });
    return Object.keys(update).length ? update : null;
  }

  // The checks wait for an idle moment and run together: all their reads share one layout of the
  // page, and their relayouts (rare) come after every read.
  var queued = [];
  function later(gd) {
    if (queued.indexOf(gd) < 0) queued.push(gd);
    if (queued.length > 1) return;
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 200); };
    idle(function () {
      var charts = queued.splice(0), updates = charts.map(function (gd) { return needs(gd); });
      charts.forEach(function (gd, i) {
        if (!updates[i]) return;
        tally.relayouts += 1;
        tally.late.push(((gd.parentNode || {}).id || gd.id) + ': ' + Object.keys(updates[i]).join(' '));
        window.Plotly.relayout(gd, updates[i]);
      });
    }, {timeout: 3000});
  }

  // ---------------------------------------------------------------- dcc.Graph's draws, intercepted

  function hook(plotly) {
    if (!plotly || plotly.tpdPhone) return plotly;
    ['react', 'newPlot'].forEach(function (name) {
      var real = plotly[name];
      if (typeof real !== 'function') return;
      plotly[name] = function (gd, data, layout, config) {
        var el = typeof gd === 'string' ? document.getElementById(gd) : gd;
        if (el) el.tpdAsBuilt = Array.prototype.slice.call(arguments, 1);   // to draw again on turning
        if (!PHONE.matches || !el) return real.apply(this, arguments);
        var whole = !Array.isArray(data) && data && typeof data === 'object';
        var figure = whole ? data : {data: data, layout: layout};
        var mine;
        try { mine = fitted(el, figure); } catch (e) { mine = figure; }   // an unforeseen figure is drawn as built
        if (mine === figure) return real.apply(this, arguments);
        var drawn = whole ? real.call(this, el, mine) : real.call(this, el, mine.data, mine.layout, config);
        return Promise.resolve(drawn).then(function (result) {
          later(el);
          return result;
        });
      };
    });
    plotly.tpdPhone = true;
    return plotly;
  }

  // A phone turned, or a window narrowed or widened past 576 px: every chart drawn again from its
  // figure as built, fitted below 576 px and as built above.
  PHONE.addEventListener('change', function () {
    if (!window.Plotly) return;
    document.querySelectorAll('.js-plotly-plot').forEach(function (el) {
      if (el.tpdAsBuilt && el.isConnected) window.Plotly.react.apply(window.Plotly, [el].concat(el.tpdAsBuilt));
    });
  });

  // dcc.Graph loads plotly.js at a page's first chart; its bundle ends with `window.Plotly = Plotly`.
  if (window.Plotly) hook(window.Plotly);
  else {
    Object.defineProperty(window, 'Plotly', {
      configurable: true, enumerable: true,
      get: function () { return undefined; },
      set: function (plotly) {
        Object.defineProperty(window, 'Plotly', {configurable: true, enumerable: true, writable: true, value: hook(plotly)});
      }
    });
  }
})();
