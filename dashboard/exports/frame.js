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
      var m = {l: s.l, r: s.r, t: s.t, b: s.b, shifts: unclash(gd)};
      Plotly.purge(gd);
      document.body.removeChild(gd);
      return m;
    });
  }

  /* Captions placed for the page's width (a strip's 所选时间 and 不完整周) can run into each
   * other on a narrow image: each caption that overlaps one before it moves down a line until it
   * is clear. A band's name (国庆黄金周, 春节 …, named "tpd-band") that overlaps a caption, a bar
   * or a point is left out instead (its shading stays): the strip's room was reserved for the
   * page's taller plot, and on a narrow image the bars and points reach up into it.
   * Returns the downward shift, in px, per annotation index (null: left out). */
  function unclash(gd) {
    var shifts = {};
    var placed = [];
    var notes = gd.layout.annotations || [];
    var nodes = gd.querySelectorAll(".annotation[data-index]");
    var marks = Array.prototype.map.call(gd.querySelectorAll(".barlayer .point, .scatterlayer .point"),
                                         function (n) { return n.getBoundingClientRect(); })
      .filter(function (b) { return b.width || b.height; });
    Array.prototype.forEach.call(nodes, function (node) {
      var box = node.getBoundingClientRect();
      if (!box.width || !box.height) return;
      var index = node.getAttribute("data-index");
      if ((notes[Number(index)] || {}).name === "tpd-band") {
        var clash = placed.concat(marks).some(function (p) {
          return box.left < p.right + 2 && p.left < box.right + 2 && box.top < p.bottom && p.top < box.bottom;
        });
        if (clash) { shifts[index] = null; return; }
        placed.push({left: box.left, right: box.right, top: box.top, bottom: box.bottom});
        return;
      }
      var shift = 0;
      for (var tries = 0; tries < 4; tries++) {
        var clash = placed.some(function (p) {
          return box.left < p.right + 2 && p.left < box.right + 2 &&
                 box.top + shift < p.bottom && p.top < box.bottom + shift;
        });
        if (!clash) break;
        shift += box.height + 2;
      }
      placed.push({left: box.left, right: box.right, top: box.top + shift, bottom: box.bottom + shift});
      if (shift) shifts[node.getAttribute("data-index")] = shift;
    });
    return shifts;
  }

  var framedToImage = function (fig, opts) {
    var frame = fig && fig.layout && fig.layout.meta && fig.layout.meta.tpd_frame;
    if (!frame) return toImage.apply(Plotly, arguments);
    var layout = JSON.parse(JSON.stringify(fig.layout));
    var bare = Object.assign({}, layout, {
      height: layout.height - frame.header - frame.footer,
      annotations: (layout.annotations || []).filter(function (a) { return !isFrame(a); })
    });
    return measure(fig.data, bare, fig.config).then(function (m) {
      if (frame.unclash) {
        var own = (layout.annotations || []).filter(function (a) { return !isFrame(a); });
        Object.keys(m.shifts).forEach(function (i) {
          var a = own[Number(i)];
          if (a && m.shifts[i] === null) a.visible = false;
          else if (a) a.yshift = (a.yshift || 0) - m.shifts[i];
        });
      }
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

  /* PDF: kaleido shows the SVG in an <img> and prints the page. Text drawn inside an image
   * reaches the PDF as bare glyphs, whose characters Chromium guesses back from the font's
   * cmap: Noto CJK shares glyphs between ideographs and Kangxi radicals, so 月 came out as
   * ⽉ (U+2F49) when copied or searched. Placed in the page itself, the SVG's text is
   * printed as text, with the characters it was written in. kaleido asks for a PDF as an
   * SVG whose background is set by a function (its `pdfBackground`); only then is this done. */
  var INLINE = "tpd-inline-svg";
  var HIDE_IMAGE = "tpd-hide-image";

  function clearInline() {
    var old = document.getElementById(INLINE);
    if (old) old.parentNode.removeChild(old);
    var hide = document.getElementById(HIDE_IMAGE);
    if (hide) hide.parentNode.removeChild(hide);
  }

  function showInline(url) {
    var comma = url.indexOf(",");
    var head = url.slice(0, comma);
    var body = url.slice(comma + 1);
    var source = head.indexOf(";base64") >= 0 ? atob(body) : decodeURIComponent(body);
    var svg = new DOMParser().parseFromString(source, "image/svg+xml").documentElement;
    var holder = document.createElement("div");
    holder.id = INLINE;
    holder.style.lineHeight = "0";
    holder.appendChild(document.importNode(svg, true));
    document.body.appendChild(holder);
    var hide = document.createElement("style");
    hide.id = HIDE_IMAGE;
    hide.textContent = "#kaleido-image { display: none !important; }";
    document.head.appendChild(hide);
  }

  Plotly.toImage = function (fig, opts) {
    clearInline();
    var forPdf = opts && opts.format === "svg" && typeof opts.setBackground === "function";
    var drawn = framedToImage.apply(Plotly, arguments);
    if (!forPdf) return drawn;
    return drawn.then(function (url) {
      if (typeof url === "string" && url.indexOf("data:image/svg+xml") === 0) showInline(url);
      return url;
    });
  };
})();
