"""Fifty simultaneous recommendations by the province never exceed its 卓越级 quota.

The scenario is built inside the e2e database through the platform's own services, by a
``manage.py shell`` subprocess with the server's environment (its var dir, its database): in the
open 2026 campaign, 60 Sichuan enterprises register, add a factory, hold a 2025 先进级 award from
the province, answer the self-assessment so it attains 卓越级, open a 卓越级 application, fill the
book, attach the three required PDFs, name the legal representative and submit it; the district and
the city approve it, so it waits at the province (the last level). The ministry then overrides the
Sichuan 卓越级 quota to 7.

demo-province (leader of 四川省经济和信息化厅) signs in once and posts 50 recommendations at once
— /console/applications/<id>/recommend/, the console's own form action, each on its own
connection, for 50 different applications. None may fail with a server error; each redirects back
with a message: 7 "已推荐", 43 "名额已用完". The database (read directly, read-only) then holds
exactly 7 recommended applications drawing on the Sichuan quota with priorities 1..7, the quota API
reports used == 7, and the audit log holds exactly 7 application.recommend events, for those
applications. SQLite serialises the writers (IMMEDIATE transactions, busy timeout), PostgreSQL the
quota row lock.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest

from .conftest import DEMO_PASSWORD
from .steps_recommend import (
    APPLICATIONS,
    CALLS,
    LEADER,
    PROVINCE_CODE,
    QUOTA,
    REQUEST_TIMEOUT,
    _build_scenario,
    _http,
    _login,
    _recommend_once,
    _rows,
)


# --------------------------------------------------------------------------- the test
@pytest.mark.e2e
def test_fifty_parallel_recommendations_never_exceed_the_quota(api, live_url, e2e_database_url):
    began = time.monotonic()
    scenario = _build_scenario(live_url, e2e_database_url)
    built_in = time.monotonic() - began
    ids, quota_id = scenario["ids"], scenario["quota_id"]
    assert len(set(ids)) == APPLICATIONS and scenario["quota"] == QUOTA, scenario
    assert scenario["used_before"] == 0, f"the Sichuan 卓越级 quota was already in use: {scenario}"

    parsed = urlparse(live_url)
    host, port = parsed.hostname, parsed.port
    assert host == "127.0.0.1", live_url
    cookies = _login(host, port, LEADER)
    # the leader's page offers the recommendation (the form the 50 posts imitate)
    status, _headers, page = _http(host, port, "GET", f"/console/applications/{ids[0]}/",
                                   headers={"Cookie": f"sessionid={cookies['sessionid']}"})
    assert status == 200, status
    assert b'data-testid="action-recommend"' in page, "no recommend action on the application page"

    # 50 recommendations at once, each on its own connection, each a different application
    chosen = ids[:CALLS]
    start = threading.Barrier(CALLS)
    fired = time.monotonic()
    with ThreadPoolExecutor(max_workers=CALLS) as pool:
        futures = [pool.submit(_recommend_once, host, port, app_id, cookies, start) for app_id in chosen]
        results = [f.result(timeout=REQUEST_TIMEOUT + 40) for f in futures]
    elapsed = time.monotonic() - fired
    print(f"scenario built in {built_in:.1f} s; {CALLS} recommendations in {elapsed:.1f} s")  # noqa: T201

    statuses = Counter(status for _id, status, _location, _messages in results)
    server_errors = [r for r in results if r[1] >= 500]
    assert not server_errors, f"{statuses} in {elapsed:.1f} s: {server_errors[:5]}"
    assert statuses == Counter({302: CALLS}), f"{statuses}: {[r for r in results if r[1] != 302][:5]}"
    for app_id, _status, location, _messages in results:
        assert location.endswith(f"/console/applications/{app_id}/"), location
    # what each leader's page said: QUOTA recommended, the others refused because the quota is used up
    said = {app_id: messages for app_id, _status, _location, messages in results}
    succeeded = sorted(a for a, m in said.items() if len(m) == 1 and m[0].startswith("已推荐"))
    refused = sorted(a for a, m in said.items() if len(m) == 1 and f"推荐名额（{QUOTA}个）已用完" in m[0])
    assert len(succeeded) == QUOTA and len(refused) == CALLS - QUOTA, (
        f"{len(succeeded)} recommended, {len(refused)} refused; other messages: "
        f"{[m for a, m in said.items() if a not in succeeded and a not in refused][:5]}"
    )

    # the database: exactly QUOTA recommended, on the Sichuan quota, priorities 1..QUOTA
    seen = _rows(live_url, e2e_database_url, ids, quota_id)
    recommended = sorted(a for a, (state, _p, _q) in seen["apps"].items() if state == "recommended")
    assert recommended == succeeded, f"recommended {recommended}, messages said {succeeded}"
    assert len(seen["on_quota"]) == QUOTA, f"{len(seen['on_quota'])} recommended on a quota of {QUOTA}: {seen['on_quota']}"
    assert sorted(a for a, _p in seen["on_quota"]) == recommended, seen["on_quota"]
    assert sorted(p for _a, p in seen["on_quota"]) == list(range(1, QUOTA + 1)), seen["on_quota"]
    others = {a: v for a, v in seen["apps"].items() if a not in recommended}
    assert all(state == "in_review" and p is None and q is None for state, p, q in others.values()), others

    # the quota API, and one application through the API, as the province's leader
    token = api.token(LEADER, DEMO_PASSWORD)
    status, rows = api.get("/campaigns/2026/quotas", token)
    assert status == 200, rows
    sichuan = [r for r in rows if r["tier"] == "excellent" and r["recommender"] == "province"
               and r["province_code"] == PROVINCE_CODE]
    assert len(sichuan) == 1, sichuan
    assert (sichuan[0]["quota"], sichuan[0]["used"]) == (QUOTA, QUOTA), sichuan[0]
    status, body = api.get(f"/applications/{recommended[0]}", token)
    assert status == 200 and body["state"] == "recommended", body
    status, body = api.get(f"/applications/{refused[0]}", token)
    assert status == 200 and body["state"] == "in_review", body

    # the audit log: one application.recommend event per recommended application, no more
    assert sorted(seen["events"]) == recommended, f"application.recommend events: {Counter(seen['events'])}"
