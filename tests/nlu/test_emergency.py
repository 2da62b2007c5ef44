from __future__ import annotations

import pytest

from nlu.emergency import emergency_kind


@pytest.mark.parametrize(("text", "kind"), [
    ("楼道里好大一股煤气味，6栋三楼", "gas"),
    ("厨房燃气泄漏了，阀门关不上", "gas"),
    ("樓道裡有很重的煤氣味", "gas"),  # traditional
    ("闻到一股煤汽味", "gas"),  # homophone typo residents make
    ("There is a strong smell of gas in the hallway", "gas"),
    ("隔壁着火了，好大的烟", "fire"),
    ("對面樓著火了，濃煙滾滾", "fire"),
    ("电动车在楼道里冒烟了", "fire"),
    ("The kitchen next door is on fire", "fire"),
    ("smoke is pouring out of the basement", "fire"),
    ("电线掉下来了还在打火", "electric"),
    ("小区配电箱冒烟了", "electric"),
    ("a live wire is hanging over the sidewalk", "electric"),
    ("有个老人晕倒在楼下了", "medical"),
    ("my neighbour collapsed and is not breathing", "medical"),
    ("有人站在天台上说要跳楼", "police"),
    ("楼下有人持刀威胁", "police"),
    ("隔壁又在家暴，女的一直在喊", "police"),
    ("孩子走丢了，穿红衣服，五岁", "missing"),
    ("我奶奶有老年痴呆，早上出门到现在找不到", "missing"),
    ("my 6 year old son is missing", "missing"),
    ("a man with a knife is shouting at people", "police"),
    ("暴雨水漫进家里了，一楼全淹了", "flood"),
    ("water is pouring in through the door", "flood"),
    ("电梯困人了，里面有小孩", "rescue"),
    ("有人被困在电梯里半小时了", "rescue"),
    ("someone is trapped in the lift", "rescue"),
    ("老房子的墙倒塌了", "rescue"),
    ("着伙了，快来人", "fire"),  # typo
    ("好臭的然气味，整个走廊都是", "gas"),  # typo
    ("电悌困人了", "rescue"),  # typo
    ("電梯停在兩層中間，裡面有老人", "rescue"),
    ("水管爆了，水一直衝進一樓住戶家裡", "flood"),
    ("脚手架倒了，压住了路过的人", "rescue"),
    ("a man is beating a woman in the car park", "police"),
    ("burst water main is flooding into the ground-floor flats", "flood"),
])
def test_life_safety_messages_are_caught(text: str, kind: str) -> None:
    assert emergency_kind(text) == kind


@pytest.mark.parametrize("text", [
    "没有煤气味了，谢谢",
    "煤气味已经没了",
    "不是着火，是有人烧烤",
    "no smell of gas anymore",
    "the fire lane is blocked by cars",
    "fire hydrant is leaking",
    "消防通道被堵了",
    "楼道里有火灾隐患",
    "路灯坏了好几天",
    "我的自行车不见了",
    "联系不上物业",
    "楼下烧烤摊油烟太大",
    "can you help me find the form",
    "我家狗走丢了",
    "楼道堆杂物有着火隐患",
    "社区下周搞燃气泄漏应急演练",
    "gas leak safety training for residents",
    "楼梯间堆满杂物，万一着火就跑不掉",  # hypothetical
    "上次电梯困人的事处理完了，但电梯还是不太正常",  # past
    "燃气灶打不着火",
    "电梯的警铃按了没声音，现在没人被困",
    "昨天有人打架，已经散了",
    "大树歪了快倒了，下面是停车位",  # a leaning tree is high, not critical
    "the street light is dayburning",
    "management office unresponsive to repair requests",
    "water still not back on for our unit",
])
def test_ordinary_or_negated_messages_do_not_fire(text: str) -> None:
    assert emergency_kind(text) is None


def test_negation_only_applies_within_its_clause() -> None:
    # "没人" (nobody) is not a negation of the smell.
    assert emergency_kind("门口没人，煤气味很重") == "gas"
