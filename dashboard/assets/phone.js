// On a phone (below 576 px; the filters fold below 768 px, the navigation below 1200 px):
// - the navbar's menu opens on its toggler and closes when the page changes;
// - the filter drawer opens on the filter summary and closes on its ×, a tap beside it, or a new view;
// - every chart's legend goes under the plot, below its axis labels, and a finger drag scrolls the
//   page instead of zooming (the figures themselves stay as built: this only relayouts the browser's copy);
//   a tap shows a point's values as hovering does.
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
      if (full.type !== 'date' || axis.dtick === undefined || !full.range) return;
      var months = typeof axis.dtick === 'string' && axis.dtick.charAt(0) === 'M';
      var step = months ? parseInt(axis.dtick.slice(1), 10) : Number(axis.dtick);
      var stepMs = months ? step * 30.44 * 86400000 : step;
      var factor = Math.ceil((new Date(full.range[1]) - new Date(full.range[0])) / stepMs / fit);
      if (step > 0 && factor > 1) update[k + '.dtick'] = months ? 'M' + step * factor : step * factor;
    });
    window.Plotly.relayout(el, update).then(function () { busy.delete(el); }, function () { busy.delete(el); });
  }

  setInterval(function () {
    if (!PHONE.matches) return;
    document.querySelectorAll('.js-plotly-plot').forEach(adjust);
  }, 400);
})();
