"""The map's area names (dashboard.figures.geo): placed beside their circles where they overprint
no other name and no other circle, at the smallest view the map is drawn at (a 16:9 slide)."""
from __future__ import annotations

from dashboard.figures.base import text_px
from dashboard.figures.geo import LABEL_SIZE, label_positions


def _box(x, y, r, name, place):
    w, h = text_px(name, LABEL_SIZE), LABEL_SIZE + 4
    return {"bottom center": (x - w / 2, y + r, x + w / 2, y + r + h),
            "top center": (x - w / 2, y - r - h, x + w / 2, y - r),
            "middle right": (x + r + 2, y - h / 2, x + r + 2 + w, y + h / 2),
            "middle left": (x - r - 2 - w, y - h / 2, x - r - 2, y + h / 2)}[place]


def test_two_near_areas_names_go_where_they_do_not_overprint_each_other():
    # 古渡老街 and 碧潭湖景区 as in the demo city: 0.12° apart east, 0.017° north, the second bigger.
    lon, lat = [103.95, 104.07, 103.25], [29.328, 29.345, 29.85]
    names, sizes = ["古渡老街", "碧潭湖景区", "松风谷景区"], [24.0, 40.0, 30.0]
    x_range, y_range, mid = (103.0, 104.3), (29.2, 29.95), 29.6
    places = label_positions(lon, lat, names, sizes, x_range, y_range, mid)
    assert places[2] == "bottom center"           # a lone area keeps its name below
    assert places[1] == "bottom center"           # the biggest circle is placed first, below
    assert places[0] != "bottom center"           # below it would have run into 碧潭湖景区's name
    # the same pixels the placement used: the two names' boxes do not meet
    import math
    per_y = min(220 / 0.75, 560 / (1.3 * math.cos(math.radians(mid))))
    per_x = per_y * math.cos(math.radians(mid))
    a = _box(lon[0] * per_x, -lat[0] * per_y, sizes[0] / 2, names[0], places[0])
    b = _box(lon[1] * per_x, -lat[1] * per_y, sizes[1] / 2, names[1], places[1])
    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_names_of_areas_far_apart_all_go_below():
    places = label_positions([103.0, 103.5, 104.0], [29.3, 29.6, 29.9], ["甲景区", "乙景区", "丙景区"],
                             [20.0, 20.0, 20.0], (102.9, 104.1), (29.2, 30.0), 29.6)
    assert places == ["bottom center"] * 3


def test_a_name_beside_its_circle_stays_inside_the_maps_sides():
    # An area at the view's right edge between neighbours just above and below it: its name goes
    # to the left, not to the right, where a phone's narrow map cuts it off.
    places = label_positions([104.0, 104.0, 104.0], [29.6, 29.56, 29.64], ["石门溶洞景区", "甲景区", "乙景区"],
                             [30.0, 20.0, 20.0], (103.0, 104.05), (29.2, 30.0), 29.6)
    assert places[0] == "middle left"


def test_the_density_is_the_kernel_sum_over_every_cell_sharing_rows_and_columns():
    import math

    import numpy as np
    import pandas as pd

    from dashboard.figures.geo import density_grid

    # cells on a 0.002° lattice, several sharing a column or a row
    cells = pd.DataFrame({"lon": [103.800, 103.800, 103.802, 103.810, 103.802],
                          "lat": [29.500, 29.504, 29.500, 29.504, 29.520],
                          "incidents": [5, 1, 2, 7, 3]})
    x_range, y_range, mid = (103.78, 103.83), (29.48, 29.54), 29.51
    gx, gy, z = density_grid(cells, x_range, y_range, mid, steps=12)
    sigma_y = max(0.004, 0.03 * max(y_range[1] - y_range[0], (x_range[1] - x_range[0]) * math.cos(math.radians(mid))))
    sigma_x = sigma_y / math.cos(math.radians(mid))
    direct = np.zeros((12, 12))
    for lon, lat, n in zip(cells.lon, cells.lat, cells.incidents):
        direct += n * np.outer(np.exp(-0.5 * ((np.array(gy) - lat) / sigma_y) ** 2),
                               np.exp(-0.5 * ((np.array(gx) - lon) / sigma_x) ** 2))
    assert np.allclose(z, np.round(np.sqrt(direct / direct.max()), 3), atol=1e-3)
