/* AG Grid's script is fetched and run when a grid first comes near the screen, and each grid is built
 * then, not at the page's first render.
 *
 * dash-ag-grid's bundle (1.3 MB, AG Grid itself) is the largest script a page has after plotly.js,
 * and building a grid the heaviest thing a page does after drawing its charts: under the phone profile
 * of benchmarks/page_render.py (390 px, CPU ×4) running the bundle took 0.1–0.7 s of the main thread
 * on every page, building the grids 0.8–4.0 s (benchmarks/page_trace.py; README, "Grids below the
 * fold"), for grids a phone shows only after scrolling. Dash writes the bundle's script tag with a type
 * the browser does not run (`dashboard.components.grid.defer_grid_bundle`); this asset, which runs before
 * dash-renderer starts, stands in for the library until then. Once the page's callbacks have settled, a
 * grid within half a screen below the viewport (IntersectionObserver) is built, the bundle loaded
 * first if it is not yet; one further down keeps an empty box of its own size, id and classes (a link
 * to its id still scrolls there) until it comes that near, and is then built with the props it has by
 * then (the callbacks' rows included). A tab not chosen builds its grid when chosen.
 * Printing starts building every grid left (a browser that prints at once may still print some
 * boxes empty: the briefing's print view, the product's printout, has no grid). Without
 * IntersectionObserver, the bundle is loaded at once and nothing is deferred.
 */
(function () {
    "use strict";
    var React = window.React;
    var tag = document.querySelector("script[data-tpd-grid-bundle]");
    if (!React || (!window.dash_ag_grid && !tag)) { return; }
    // What dash-renderer reads off the component before it renders one (its render type, the props it
    // persists): the bundle's own values, checked against it once it runs (tests/test_browser_phone.py).
    var DECLARED = {dashRenderType: true,
                    dashPersistence: {persisted_props: ["selectedRows"], persistence_type: "local"}};
    var real = null, loading = null, printing = false;
    var waiting = new Set();
    var deferring = "IntersectionObserver" in window;

    function LazyAgGrid(props) {
        var box = React.useRef(null);
        var seenState = React.useState(printing || !deferring);
        var seen = seenState[0], setSeen = seenState[1];
        var readyState = React.useState(real !== null);
        var ready = readyState[0], setReady = readyState[1];
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
        React.useEffect(function () {
            if (!seen || ready) { return undefined; }
            var live = true;
            load().then(function () { if (live) { setReady(true); } });
            return function () { live = false; };
        }, [seen, ready]);
        if (seen && ready) { return React.createElement(real.AgGrid, props); }
        return React.createElement("div", {ref: box, id: typeof props.id === "string" ? props.id : undefined, className: props.className,
                                           style: props.style, "data-tpd-grid-deferred": "true"});
    }
    Object.keys(DECLARED).forEach(function (key) { LazyAgGrid[key] = DECLARED[key]; });

    // The library dash-renderer and the page's own scripts see: the real one's, with its AgGrid wrapped.
    var wrapped = null;
    function wrap(lib) {
        real = lib;
        // What dash-renderer reads off the component (render type, persistence, defaults, prop types).
        Object.getOwnPropertyNames(lib.AgGrid).forEach(function (key) {
            if (["length", "name", "prototype", "arguments", "caller"].indexOf(key) === -1) {
                try { LazyAgGrid[key] = lib.AgGrid[key]; } catch (e) { /* read-only: leave it */ }
            }
        });
        // The bundle's exports are getters (webpack): the library object is copied, not assigned into.
        wrapped = {};
        Object.keys(lib).forEach(function (key) { wrapped[key] = lib[key]; });
        wrapped.AgGrid = LazyAgGrid;
    }

    function load() {
        if (real) { return Promise.resolve(real); }
        if (!loading) {
            loading = new Promise(function (resolve, reject) {
                var script = document.createElement("script");
                script.src = tag.getAttribute("src");
                script.onload = function () { resolve(real); };
                script.onerror = function () { loading = null; reject(new Error("AG Grid's script did not load")); };
                document.head.appendChild(script);
            });
        }
        return loading;
    }

    if (window.dash_ag_grid) {
        wrap(window.dash_ag_grid);           // loaded by Dash at once: only the building is deferred
        window.dash_ag_grid = wrapped;
    } else {
        wrapped = {
            AgGrid: LazyAgGrid,
            getApi: function (id) {
                if (!real) { throw new Error("AG Grid is not loaded yet: use getApiAsync"); }
                return real.getApi(id);
            },
            getApiAsync: function (id) { return load().then(function () { return real.getApiAsync(id); }); }
        };
        // The bundle ends by assigning its library to window.dash_ag_grid: it is kept, and wrapped. Its
        // grid's own chunk assigns the library it finds there back (to add to it): that is the wrapped one.
        Object.defineProperty(window, "dash_ag_grid", {
            configurable: true, enumerable: true,
            get: function () { return wrapped; },
            set: function (lib) { if (lib !== wrapped) { wrap(lib); } }
        });
    }
    window.addEventListener("beforeprint", function () {
        printing = true;
        waiting.forEach(function (show) { show(); });
    });
    // For the browser tests: what was declared, whether the bundle has run, and its own grid.
    window.tpdLazyGrid = {declared: DECLARED, loaded: function () { return real !== null; },
                          bundled: function () { return real && real.AgGrid; }};
}());
