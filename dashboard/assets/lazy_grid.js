/* A grid below the fold is built when it comes near the screen, not at the page's first render.
 *
 * Building an AG Grid is the heaviest thing a page does in the browser after plotly.js: under the
 * phone profile of benchmarks/page_render.py (390 px, CPU ×4) dash-ag-grid's own script took
 * 0.8–4.0 s of the main thread per page (benchmarks/page_trace.py; README, "Grids below the
 * fold"), for grids a phone shows only after scrolling. This asset runs after dash-ag-grid's
 * bundle and before dash-renderer starts, and wraps its AgGrid: once the page's callbacks have
 * settled, a grid within half a screen below the viewport (IntersectionObserver) is built; one
 * further down keeps an empty box of its own size, id and classes (a link to its id still scrolls
 * there) until it comes that near, and is then built with the props it has by then (the
 * callbacks' rows included). A tab not chosen builds its grid when chosen.
 * Printing starts building every grid left (a browser that prints at once may still print some
 * boxes empty: the briefing's print view, the product's printout, has no grid). Without
 * IntersectionObserver, nothing is deferred.
 */
(function () {
    "use strict";
    var lib = window.dash_ag_grid, React = window.React;
    if (!lib || !lib.AgGrid || !React || !("IntersectionObserver" in window)) { return; }
    var Real = lib.AgGrid;
    var printing = false;
    var waiting = new Set();
    window.addEventListener("beforeprint", function () {
        printing = true;
        waiting.forEach(function (show) { show(); });
    });

    function LazyAgGrid(props) {
        var box = React.useRef(null);
        var state = React.useState(printing);
        var seen = state[0], setSeen = state[1];
        React.useEffect(function () {
            if (seen || !box.current) { return undefined; }
            var show = function () { setSeen(true); };
            var observer = null, timer = null, quiet = 0;
            // While the page's callbacks run, the cards above are still empty and short: where the
            // grid will stand is known once nothing has been loading for two looks in a row.
            var look = function () {
                quiet = document.querySelector('[data-dash-is-loading="true"]') ? 0 : quiet + 1;
                if (quiet < 2) { timer = setTimeout(look, 250); return; }
                observer = new IntersectionObserver(function (entries) {
                    if (entries.some(function (e) { return e.isIntersecting; })) { show(); }
                }, {rootMargin: "0px 0px 50% 0px"});
                observer.observe(box.current);
            };
            timer = setTimeout(look, 500);
            waiting.add(show);
            return function () {
                clearTimeout(timer);
                if (observer) { observer.disconnect(); }
                waiting.delete(show);
            };
        }, [seen]);
        if (seen) { return React.createElement(Real, props); }
        return React.createElement("div", {ref: box, id: typeof props.id === "string" ? props.id : undefined, className: props.className,
                                           style: props.style, "data-tpd-grid-deferred": "true"});
    }
    // What dash-renderer reads off the component (dashRenderType, persistence, defaults, prop types).
    Object.getOwnPropertyNames(Real).forEach(function (key) {
        if (["length", "name", "prototype", "arguments", "caller"].indexOf(key) === -1) {
            try { LazyAgGrid[key] = Real[key]; } catch (e) { /* read-only: leave it */ }
        }
    });
    // The bundle's exports are getters (webpack): the library object is replaced, not assigned into.
    var wrapped = {};
    Object.keys(lib).forEach(function (key) { wrapped[key] = lib[key]; });
    wrapped.AgGrid = LazyAgGrid;
    window.dash_ag_grid = wrapped;
}());
