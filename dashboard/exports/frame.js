/* The export frame (dashboard/exports/frame.py): measure the bare chart, then reserve the bands.
 *
 * Loaded into kaleido's page after plotly.js. For a figure whose layout.meta
 * carries `tpd_frame: {header, footer}`, Plotly.toImage first plots the chart
 * without the frame at the height left for it, reads the margins Plotly settled
 * on (after axes, legends and titles pushed them), then fixes those margins
 * plus the header and footer bands, and moves the `tpd-frame-*` annotations
 * from image pixels (x from the left, y from the top) to the plot area.
 */
(function () {
  "use strict";
  if (typeof Plotly === "undefined") return;
  var toImage = Plotly.toImage;
  var FRAME = "tpd-frame";

  function isFrame(a) { return typeof a.name === "string" && a.name.indexOf(FRAME) === 0; }

  function measure(data, layout, config) {
    var gd = document.createElement("div");
    gd.style.position = "absolute";
    gd.style.left = "-20000px";
    document.body.appendChild(gd);
    var conf = Object.assign({}, config || {}, {staticPlot: true});
    return Plotly.newPlot(gd, data, layout, conf).then(function () {
      var s = gd._fullLayout._size;
      var m = {l: s.l, r: s.r, t: s.t, b: s.b};
      Plotly.purge(gd);
      document.body.removeChild(gd);
      return m;
    });
  }

  Plotly.toImage = function (fig, opts) {
    var frame = fig && fig.layout && fig.layout.meta && fig.layout.meta.tpd_frame;
    if (!frame) return toImage.apply(Plotly, arguments);
    var layout = JSON.parse(JSON.stringify(fig.layout));
    var bare = Object.assign({}, layout, {
      height: layout.height - frame.header - frame.footer,
      annotations: (layout.annotations || []).filter(function (a) { return !isFrame(a); })
    });
    return measure(fig.data, bare, fig.config).then(function (m) {
      layout.margin = Object.assign({}, layout.margin, {
        l: m.l, r: m.r, t: m.t + frame.header, b: m.b + frame.footer, autoexpand: false
      });
      var top = m.t + frame.header;
      (layout.annotations || []).forEach(function (a) {
        if (!isFrame(a)) return;
        var x = a.x, y = a.y;
        a.xref = "paper"; a.yref = "paper"; a.x = 0; a.y = 1;
        a.xshift = x - m.l;
        a.yshift = top - y;
      });
      return toImage.call(Plotly, {data: fig.data, layout: layout, config: fig.config}, opts);
    });
  };
})();
