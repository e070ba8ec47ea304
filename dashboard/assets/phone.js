// On a phone (below 576 px; the filters fold below 768 px, the navigation below 1200 px):
// - the navbar's menu opens on its toggler and closes when the page changes;
// - the filter drawer opens on the filter summary and closes on its ×, a tap beside it, or a new view;
// - every chart's legend goes under the plot, below its axis labels (the chart taller where it needs
//   the room), and a finger drag scrolls the page instead of zooming; a tap shows a point's values
//   as hovering does. The figures themselves stay as built: this only relayouts the browser's copy,
//   fitting what was placed for a desktop's width: as many date labels as fit, number labels on end
//   thinned, category labels that touch tilted, a heatmap's long row names without their bracketed figure, room for the numbers
//   beside horizontal bars, a note or an axis title too wide wrapped, a caption that overprints another
//   moved down a line or left out.
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
  var busy = new WeakSet();

  function belowAxis(el) {
    // How far the x axis's labels and title reach under the plot area, in px.
    var size = el._fullLayout && el._fullLayout._size;
    if (!size) return 0;
    var bottom = el.getBoundingClientRect().top + size.t + size.h, reach = 0;
    el.querySelectorAll('.xaxislayer-above text, .g-xtitle text').forEach(function (n) {
      reach = Math.max(reach, n.getBoundingClientRect().bottom - bottom);
    });
    return reach;
  }

  function adjust(el) {
    // dcc.Graph keeps a relayout in its figure (a new layout object, dragmode false in it): a layout
    // with dragmode false is done; one from the server (the figures never set it) is new.
    if (!el.layout || !el._fullLayout || !window.Plotly || el.layout.dragmode === false || busy.has(el)) return;
    var layout = el.layout;
    busy.add(el);
    var update = {dragmode: false};
    var legend = el._fullLayout.showlegend;
    if (legend) {
      var h = el._fullLayout._size.h || 1;
      Object.assign(update, {'legend.orientation': 'h', 'legend.x': 0, 'legend.xanchor': 'left',
                             'legend.yanchor': 'top', 'legend.y': -(belowAxis(el) + 10) / h});
    }
    if (el._fullLayout.hovermode === false) update.hovermode = 'closest';
    // Date axes with a fixed step (a week, a month …) keep only the labels that fit side by side.
    var widest = 0;
    el.querySelectorAll('.xaxislayer-above .xtick text').forEach(function (n) {
      widest = Math.max(widest, n.getBoundingClientRect().width);
    });
    var fit = Math.max(2, Math.floor((el._fullLayout._size.w || 1) / (widest + 14)));
    Object.keys(layout).filter(function (k) { return /^xaxis\d*$/.test(k); }).forEach(function (k) {
      var axis = layout[k] || {}, full = el._fullLayout[k] || {};
      if (full.type !== 'date' || !full.range) return;
      var room = Math.max(2, Math.floor(fit * ((full.domain || [0, 1])[1] - (full.domain || [0, 1])[0])));
      if (axis.dtick === undefined) { update[k + '.nticks'] = room; return; }   // Plotly's own steps, as many as fit
      var months = typeof axis.dtick === 'string' && axis.dtick.charAt(0) === 'M';
      var step = months ? parseInt(axis.dtick.slice(1), 10) : Number(axis.dtick);
      var stepMs = months ? step * 30.44 * 86400000 : step;
      var factor = Math.ceil((new Date(full.range[1]) - new Date(full.range[0])) / stepMs / room);
      if (step > 0 && factor > 1) update[k + '.dtick'] = months ? 'M' + step * factor : step * factor;
    });
    // Category labels side by side that run into each other (< 30 min, 0.5–1 h …) are tilted.
    Object.keys(el._fullLayout).filter(function (k) { return /^xaxis\d*$/.test(k); }).forEach(function (k) {
      var full = el._fullLayout[k];
      if (full.type !== 'category' || !full._id || (layout[k] || {}).tickangle === -45) return;
      var boxes = [];
      el.querySelectorAll('.xaxislayer-above .' + full._id + 'tick text').forEach(function (n) {
        boxes.push(n.getBoundingClientRect());
      });
      boxes.sort(function (a, b) { return a.left - b.left; });
      var touch = boxes.some(function (b, i) { return i > 0 && b.width && b.left < boxes[i - 1].right + 2; });
      if (touch) update[k + '.tickangle'] = -45;
    });
    // A heatmap's row names with the row's figure in brackets (石门溶洞景区（47.93）) that take
    // over a third of the width keep the name only; a tap still shows the whole label.
    var wideRows = 0;
    el.querySelectorAll('.yaxislayer-above .ytick text').forEach(function (n) {
      wideRows = Math.max(wideRows, n.getBoundingClientRect().width);
    });
    if (wideRows > el.getBoundingClientRect().width / 3) {
      (el.data || []).forEach(function (trace) {
        if (trace.type !== 'heatmap' || !Array.isArray(trace.y)) return;
        var names = trace.y.map(function (y) { return String(y).replace(/\s*[（(][^（）()]*[）)]\s*$/, ''); });
        if (names.every(function (n, i) { return n === String(trace.y[i]); })) return;
        var key = 'yaxis' + String(trace.yaxis || 'y').slice(1);
        update[key + '.tickvals'] = trace.y;
        update[key + '.ticktext'] = names;
      });
    }
    // A number axis whose labels stand on end for want of room keeps two or three.
    Object.keys(el._fullLayout).filter(function (k) { return /^xaxis\d*$/.test(k); }).forEach(function (k) {
      var full = el._fullLayout[k];
      if (full.type !== 'linear' || !full._id) return;
      var turned = false;
      el.querySelectorAll('.xaxislayer-above .' + full._id + 'tick text').forEach(function (n) {
        var box = n.getBoundingClientRect();
        turned = turned || box.height > box.width * 1.2;
      });
      if (!turned) return;
      var listed = (layout[k] || {}).tickvals;
      if (Array.isArray(listed)) {          // listed ticks (70% 80% … 100%): every other, counted back from the last
        var keep = listed.map(function (v, i) { return (listed.length - 1 - i) % 2 === 0; });
        update[k + '.tickvals'] = listed.filter(function (v, i) { return keep[i]; });
        var named = (layout[k] || {}).ticktext;
        if (Array.isArray(named)) update[k + '.ticktext'] = named.filter(function (v, i) { return keep[i]; });
      } else if (typeof (layout[k] || {}).dtick === 'number') {
        update[k + '.dtick'] = layout[k].dtick * 2;       // a set step (25 %): every other one
      } else update[k + '.nticks'] = 3;
    });
    var done = function () { busy.delete(el); };
    window.Plotly.relayout(el, update).then(function () {
      // (Margins pushed by the new labels settle in a redraw of their own: measure after it.)
      return new Promise(function (settled) { setTimeout(settled, 200); });
    }).then(function () {
      return roomForLegend(el);
    }).then(function () {
      return roomForBarText(el);
    }).then(function () {
      return tidyAnnotations(el);
    }).then(done, done);
  }

  function wrapText(text, width, font) {
    // Plain text (no tags) cut into lines no wider than `width` px: CJK anywhere, Latin at spaces.
    var ctx = wrapText.ctx || (wrapText.ctx = document.createElement('canvas').getContext('2d'));
    ctx.font = font;
    var tokens = text.match(/[\u2e80-\uffff]|[^\s\u2e80-\uffff]+\s*|\s+/g) || [text];
    var lines = [], line = '';
    tokens.forEach(function (tok) {
      if (line && ctx.measureText((line + tok).trimEnd()).width > width) { lines.push(line.trimEnd()); line = tok.trimStart(); }
      else line += tok;
    });
    if (line) lines.push(line.trimEnd());
    return lines;
  }

  function roomForLegend(el) {
    // A legend under the plot that Plotly could not make room for (it keeps the plot at least half
    // the height) runs out of the chart's box: the chart grows by as much.
    var legend = el.querySelector('.legend'), frame = el.getBoundingClientRect();
    if (!legend) return Promise.resolve();
    var over = legend.getBoundingClientRect().bottom - frame.bottom;
    if (over <= 1) return Promise.resolve();
    return window.Plotly.relayout(el, {height: el._fullLayout.height + Math.ceil(over) + 8});
  }

  function roomForBarText(el) {
    // Numbers beside horizontal bars that run past the chart's right edge: the value axis is
    // lengthened so that the longest bar leaves room for its number.
    var frame = el.getBoundingClientRect(), over = 0;
    el.querySelectorAll('.barlayer .bartext').forEach(function (n) {
      over = Math.max(over, n.getBoundingClientRect().right - (frame.right - 6));
    });
    var horizontal = (el._fullData || []).some(function (d) { return d.type === 'bar' && d.orientation === 'h'; });
    var axis = el._fullLayout.xaxis, w = (el._fullLayout._size || {}).w;
    if (over <= 0 || !horizontal || !axis || axis.type !== 'linear' || !w || over >= w) return Promise.resolve();
    var range = axis.range.slice();
    return window.Plotly.relayout(el, {'xaxis.range': [range[0], range[0] + (range[1] - range[0]) * w / (w - 1.6 * over)]});
  }

  function tidyAnnotations(el) {
    // Captions placed for a desktop's width (a trend's 春节 / 国庆 bands, a chart's notes):
    // - one that runs past the chart's right edge is wrapped (at the plot's left edge: moved to the
    //   chart's and wrapped to its width);
    // - one that then still overprints one before it moves down a line, or where that is taken too
    //   or it is a band's name, is left out (the band stays shaded).
    var notes = (el.layout.annotations || []);
    var frame = el.getBoundingClientRect(), size = el._fullLayout._size;
    var update = {}, extraTop = 0;
    el.querySelectorAll('.annotation[data-index]').forEach(function (node) {
      var i = Number(node.getAttribute('data-index')), a = notes[i] || {};
      var box = node.getBoundingClientRect(), text = a.text;
      if (!box.width || typeof text !== 'string' || text.indexOf('<') >= 0) return;
      if (box.right <= frame.right + 1 || a.xref !== 'paper' || a.xanchor !== 'left') return;
      var font = ((a.font || {}).size || 12) + 'px ' + getComputedStyle(el).fontFamily;
      // A note at the plot's left edge moves to the chart's and takes its width; one further right
      // (a second panel's title) wraps where it stands.
      var atEdge = !a.x, room = atEdge ? frame.width - 16 : frame.right - box.left - 8;
      if (room < 4 * ((a.font || {}).size || 12)) return;
      var lines = wrapText(text, room, font);
      update['annotations[' + i + '].text'] = lines.join('<br>');
      update['annotations[' + i + '].align'] = 'left';
      if (atEdge) update['annotations[' + i + '].xshift'] = (a.xshift || 0) - (box.left - frame.left - 8);
      if (a.yanchor === 'bottom' && a.yref === 'paper' && a.y >= 1) {
        extraTop = Math.max(extraTop, (lines.length - 1) * box.height);
      }
    });
    if (extraTop) update['margin.t'] = size.t + extraTop;
    // An x axis's title wider than the chart (Minutes from call to arrival (bins of 5 min)) is wrapped.
    Object.keys(el._fullLayout).filter(function (k) { return /^xaxis\d*$/.test(k); }).forEach(function (k) {
      var full = el._fullLayout[k], node = el.querySelector('.g-' + full._id + 'title text');
      var text = ((full.title || {}).text);
      if (!node || typeof text !== 'string' || text.indexOf('<') >= 0) return;
      if (node.getBoundingClientRect().width <= frame.width - 16) return;
      var font = (((full.title || {}).font || {}).size || 14) + 'px ' + getComputedStyle(el).fontFamily;
      update[k + '.title.text'] = wrapText(text, frame.width - 24, font).join('<br>');
    });
    return (Object.keys(update).length ? window.Plotly.relayout(el, update) : Promise.resolve()).then(function () {
      var placed = [], hide = {}, current = el.layout.annotations || [];
      function clashes(b) {
        return placed.some(function (p) {
          return b.left < p.right + 4 && p.left < b.right + 4 && b.top < p.bottom && p.top < b.bottom;
        });
      }
      el.querySelectorAll('.annotation[data-index]').forEach(function (node) {
        var box = node.getBoundingClientRect(), i = node.getAttribute('data-index'), a = current[Number(i)] || {};
        if (!box.width || !box.height || !clashes(box)) { if (box.width) placed.push(box); return; }
        // A note of the chart's own (median, P90 …) moves down a line; a band's name is left out.
        var lower = {left: box.left, right: box.right, top: box.top + box.height, bottom: box.bottom + box.height};
        if (a.name !== 'tpd-band' && !clashes(lower)) {
          hide['annotations[' + i + '].yshift'] = (a.yshift || 0) - box.height;
          placed.push(lower);
        } else hide['annotations[' + i + '].visible'] = false;
      });
      return Object.keys(hide).length ? window.Plotly.relayout(el, hide) : null;
    });
  }

  setInterval(function () {
    if (!PHONE.matches) return;
    document.querySelectorAll('.js-plotly-plot').forEach(adjust);
  }, 400);
})();
