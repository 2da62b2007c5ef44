"""The public board through the stand-in: nothing before the community's review, then
structured fields and the staff's summary only — district-wide and on the community's own
board (社区公开栏), in zh and en; a resident cannot publish."""

from __future__ import annotations

import httpx
import pytest

from shaosheng.web import serve_web
from tests.e2e.test_dispatch import GRID, RESIDENT, handled_in_the_community, has, report
from tests.e2e.test_resident import button

pytestmark = pytest.mark.e2e

TEXT = ("闽A12345天天堵在阳光花园3号楼502室门口，我是张建国，电话138.1234.5678，"
        "微信zjg1988，车主叫李大海")
LEAKS = ("闽A", "A12345", "张建国", "1234", "5678", "502", "zjg1988", "3号楼", "门口", "李大海",
         "天天堵")


async def _pages(district) -> dict[str, tuple[int, str]]:
    async with (serve_web(district.sessions, "127.0.0.1", 0, clock=district.clock) as port,
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http):
        pages = {}
        for path in ("/board", "/board?lang=en", "/board/xiguan", "/board/xiguan?lang=en",
                     "/board/nanguan", "/board/no-such-place"):
            answer = await http.get(path)
            pages[path] = (answer.status_code, answer.text)
        return pages


async def test_board_waits_for_review_then_shows_no_word_of_the_resident(district) -> None:
    number = await report(district, TEXT)
    await handled_in_the_community(district)
    before = await _pages(district)
    assert all(number not in page for _, page in before.values())

    resident = district.chat(RESIDENT)
    await resident.send(f"/publish {number} 我自己公示")
    await resident.wait_text("没有权限")
    assert all(number not in page for _, page in (await _pages(district)).values())

    grid = district.chat(GRID)
    await grid.send(f"/publish {number} 已联系车主13812345678挪车，加装禁停标志")
    await grid.wait_text(f"{number} 已公示。摘要：已联系车主***挪车，加装禁停标志")
    after = await _pages(district)
    for path in ("/board", "/board/xiguan"):
        status, page = after[path]
        assert status == 200
        assert number in page
        for shown in ("已联系车主***挪车，加装禁停标志", "阳光花园", "已办结"):
            assert shown in page, (path, shown)
    assert "西关社区公开栏" in after["/board/xiguan"][1]
    assert "Xiguan Community notice board" in after["/board/xiguan?lang=en"][1]
    for path in ("/board?lang=en", "/board/xiguan?lang=en"):
        assert number in after[path][1]
    for path, (_, page) in after.items():
        for leak in LEAKS:
            assert leak not in page, (path, leak)
    assert number not in after["/board/nanguan"][1]  # another community's board
    assert after["/board/no-such-place"][0] == 404


async def test_the_done_card_offers_the_review_and_publishes_the_staff_note(district) -> None:
    number = await report(district, TEXT)
    await handled_in_the_community(district)  # the grid worker's done note: 已处理
    grid = district.chat(GRID)
    done = await grid.wait_for(lambda m: f"{number} 已办结" in (m["text"] or "")
                               and has("b:p:")(m))
    assert number not in (await _pages(district))["/board/xiguan"][1]
    await grid.press(done["message_id"], button(done, "b:p:"))
    await grid.wait_text(f"{number} 已公示。摘要：已处理")
    page = (await _pages(district))["/board/xiguan"][1]
    assert number in page
    assert not [leak for leak in LEAKS if leak in page]
