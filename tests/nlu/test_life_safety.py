"""Life-safety patterns on phrasings written for these tests (never taken from ../shared/eval):
implicit emergencies must be caught with the right kind, near-misses (negations, past events,
drills, comparisons, wishes) must not fire, and multi-problem messages take the most urgent."""

from __future__ import annotations

import pytest

from nlu.emergency import emergency_kind, find_hazards, scan_hazards
from nlu.parser import BuiltinParser

IMPLICIT = [
    # a power cable down, a person who cannot get out of a crushed car, life support without power
    ("the storm brought a power cable down, lying on the wet road and crackling", "electric"),
    ("high voltage line fell on the pavement near the school gate", "electric"),
    ("大风把树刮倒砸在一辆车上，车里的司机出不来了", "rescue"),
    ("停电两个小时了，我爸在家用制氧机，现在机器不转了", "medical"),
    ("no power in our block since morning and my mum is on a home ventilator", "medical"),
    ("power went out and grandpa's oxygen concentrator stopped", "medical"),
    # violence that starts with the quarrel's cause
    ("两家为了抢车位吵起来了，现在男的把对方头打破了，一直在流血", "police"),
    ("楼下因为停车的事吵了半天，刚才动手了，有个人被打得满脸是血", "police"),
    ("为了装修噪音的事跟楼上理论，结果他拿着菜刀下来了", "police"),
    ("the neighbours were arguing about the dog and now one of them is bleeding from the head"
     " after a punch", "police"),
    ("隔壁小两口吵架，女的在哭喊救命，一直有摔东西的声音", "police"),
    # welfare checks
    ("502的独居阿婆三天没下楼了，敲门没反应，电话也打不通", "welfare"),
    ("我外婆一个人住在长乐花园，两天电话都没人接，我在外地赶不回去", "welfare"),
    ("对门的老伯好几天没见人影了，门口的牛奶三天没拿", "welfare"),
    ("the old man next door lives alone and has not been seen for four days, no answer at the"
     " door", "welfare"),
    ("we haven't seen our elderly neighbour since last week and she isn't answering her phone",
     "welfare"),
    # a pipe dug through that lets out gas, the gas not named
    ("施工队在路边挖沟，把地下一根管道挖破了，现在嘶嘶地往外喷气，味道很冲", "gas"),
    ("小区门口修路的把黄色的管子挖断了，一直在冒气，还有股刺鼻的味道", "gas"),
    ("the digger cut through a yellow pipe on our street and it is hissing, the workers ran off",
     "gas"),
    # missing people
    ("我爸有阿尔茨海默，下午自己溜出去了，到现在还没回来", "missing"),
    ("五岁的儿子在广场上玩着玩着就不见了，穿蓝色外套", "missing"),
    ("奶奶脑子糊涂了，早上出门买菜到现在都找不到人", "missing"),
    ("my mum has dementia and wandered off from the market an hour ago", "missing"),
    ("our 7 year old daughter did not come home from school and her phone is off", "missing"),
    # children near water
    ("河边有个小孩一个人在玩水，周围没大人", "rescue"),
    ("两个小朋友自己跑到池塘边去了，没大人跟着", "rescue"),
    # live wires in water, transformers
    ("积水里泡着一根电线，还有人蹚水过去", "electric"),
    ("路口的变压器在冒烟还打火花", "electric"),
    ("a cable is lying in the water on the flooded street and people are walking through it",
     "electric"),
    # water entering homes
    ("暴雨下得太大，水已经漫进一楼住户家里了，快到膝盖", "flood"),
    ("楼上水管爆了，水哗哗往我家灌，电器都泡了", "flood"),
    # smoke not from cooking, gas
    ("楼道里一股烟味，不是做饭的味道，越来越浓", "fire"),
    ("隔壁窗户往外冒烟，家里好像没人", "fire"),
    ("there's smoke in the hall and it's not from cooking", "fire"),
    ("厨房里有股臭鸡蛋的味道，头有点晕", "gas"),
    ("一进门就闻到像臭鸡蛋一样的味", "gas"),
    ("the whole stairwell smells like rotten eggs", "gas"),
    # phone scams in progress
    ("有人打电话说我儿子出车祸了在医院，让我马上转两万块钱过去", "fraud"),
    ("我妈接到电话说是公安局的，冒充公检法让她把钱转到安全账户，她现在正要去银行", "fraud"),
    ("对方自称警察，说我涉嫌洗钱，要我立刻转账配合调查", "fraud"),
    ("someone called my dad saying his grandson was arrested and he must transfer money now",
     "fraud"),
    ("a man claiming to be from the police wants my mother to move her savings to a safe account",
     "fraud"),
    # medical
    ("我爸在卫生间摔倒了，起不来，叫他也不怎么应", "medical"),
    ("小区门口电动车撞到一个老人，老人躺在地上不动", "medical"),
    # rescue
    ("电梯卡在五楼和六楼中间，我妈在里面出不来", "rescue"),
    # typos and traditional
    ("樓下有股很重的媒氣味道，還是臭雞蛋那種", "gas"),
    ("樓下著火了", "fire"),  # traditional 著火 (著 is no traditional form to fold)
    ("孩子走丢了！！穿红色衣服，在郑和路菜市场附近", "missing"),
    # voice-style run-ons without punctuation
    ("对门那个老爷子平常天天在楼下下棋这五天都没下来打电话也关机", "welfare"),
    ("我跟你说楼下两口子吵架男的把女的推下楼梯了现在人躺着不动", "police"),
    ("隔壁装修工人把墙里的燃气管钻穿了现在屋里全是味道", "gas"),
    ("有个电话说我孙子在派出所让我马上打五千块保释金", "fraud"),
    ("小孙子刚才还在小区池塘边玩现在找不到人了", "missing"),
    ("the old guy in 3B hasn't picked up his mail in a week and his door is locked, no reply",
     "welfare"),
    ("someone is lying at the bottom of the stairs and won't respond", "medical"),
    ("there's a weird hissing from the gas meter and a strong smell outside my door", "gas"),
    ("my neighbour's kid, 4 years old, is alone on the balcony railing on the 6th floor",
     "rescue"),
    # the ground or a structure giving way with someone in it, or still going on (issue 28)
    ("路面突然塌陷，一辆小车掉进坑里了，司机还在车里", "rescue"),
    ("人行道陷下去一个洞，有个老人掉进去了", "rescue"),
    ("工地旁边那栋楼在往下沉，墙上的缝越来越大", "rescue"),
    ("小区的雨棚塌下来了，下面有人被压着", "rescue"),
    ("小区车库的卷帘门突然落下来把一个老人压住了", "rescue"),
    ("柜子倒了，老人被压住了起不来", "rescue"),
    ("a shutter door came down and pinned an old man underneath", "rescue"),
    ("the road caved in and a van fell into the hole, the driver is still inside", "rescue"),
    ("a real fire: flames and black smoke from the kitchen window of the restaurant", "fire"),
    ("不是油烟，对面六楼窗户一直往外冒黑烟", "fire"),
    ("gas meter is hissing and smells of gas", "gas"),
    ("there is a rotten-egg smell on the landing of block 2", "gas"),
]

NEAR_MISSES = [
    "垃圾房臭得像煤气一样，不过不是漏气",
    "电梯停在三楼不动了，里面没有人被困",
    "开车出小区差点撞到小孩，那个路口太需要减速带了",
    "上个月我们楼着过一次火，现在楼道还是堆满杂物",
    "明天上午消防演练，会放烟雾，大家别慌",
    "希望加装电梯，老人上下楼太辛苦",
    "水管爆了，物业能不能派人来修一下",
    "没有煤气味了，燃气公司的人已经来修好",
    "如果电梯里困人了应该打哪个电话",
    "万一家里着火了老人怎么疏散",
    "社区什么时候搞防诈骗讲座",
    "请问反诈宣传的资料在哪里领",
    "去年这里发生过一次车祸，能不能装个红绿灯",
    "楼上那家吵架吵了一晚上，没动手，就是太吵",
    "昨天有个骗子打电话给我，我直接挂了电话",
    "我奶奶下午出门了，刚才已经找到了，谢谢大家",
    "敲了半天门，后来邻居开门了，人没事",
    "the lift stopped but no one is trapped inside",
    "it smells a bit like gas but it's not gas, it's the bins",
    "we had a small fire last month, the corridor walls are still black",
    "there is a fire drill on friday, do old people have to come down",
    "nearly hit a kid at the school gate, we need a crossing guard",
    "烟花爆竹禁放区能不能再扩大一点",
    "楼下烧烤摊的油烟太大了，熏得不能开窗",
    "物业说要做燃气安全检查，需要家里留人吗",
    "孩子暑假在家没人管，社区有没有托管班",
    "河边的护栏坏了，怕小孩掉下去",
    "上次电梯困人之后换了新的，现在还老是抖",
    "我们想搞个独居老人结对帮扶的活动",
    "是不是所有老人都必须参加消防疏散演练",
    "停车的事吵了几句，已经散了，就是希望划清楚车位",
    "电线杆上的广告太多了，很难看",
    "家里的燃气灶打不着火，是不是要换电池",
    "why did my water bill double this month",
    "the power went out for an hour yesterday, it's back now",
    "路边的积水很深，但没有进屋，希望疏通下水道",
    "小孩在小区里骑车太快了，差一点撞到老人",
    "我家那个电闸老跳，会不会是漏电，想找个电工看看",
    "防溺水宣传牌能不能在河边多立几块",
    "骗子冒充客服的事情，社区能不能多宣传一下怎么防范",
    "上周那次漏气已经修好了就是想问问要不要换表",
    "楼下吵架吵得好凶不过没动手就是太吵了",
    "我家老人走丢过一次现在想给他办个防走失手环",
    "消防演练的时候会拉警报吗我家有小宝宝",
    "the smoke alarm beeps every night, battery low i think",
    "we almost had a fire from an old extension cord, now we replaced it",
    "电梯里的监控坏了现在没人被困但是怕以后出事",
    "听说隔壁小区有人被骗了十几万社区能不能来讲讲",
    "the property manager is not responding to my emails about the lift",
    "修路的把水管挖断了，水哗哗地往外流，一股泥腥味",
    "上个月施工把管子挖破过一次，后来修好了，这次想问问还会不会停水",
    # everyday sinking, an awning down with nobody under it, a meter box, smoke with an
    # everyday source (issue 28)
    "小区门口的路面下陷了一块，一下雨就积水",
    "人行道有一段下陷了，地砖都翘起来了",
    "我家楼下墙角有点下沉，裂了条小缝，想请物业看看",
    "单元门口的雨棚塌了，还好没砸到人，麻烦来清理一下",
    "车棚塌了一角，里面的自行车被压坏了",
    "卷帘门差点把老人压到，还好他躲开了，门的感应器要修一下",
    "车库卷帘门坏了，落下来把我的车压坏了",
    "the awning over the shop collapsed in the wind last night, nobody hurt",
    "燃气表箱的门破了，一直关不上",
    "the gas meter box door is broken and will not close",
    "夜宵烧烤摊的烟太大了，整条街都是烟",
    "饭店排风口一直冒白烟，是炒菜的油烟，熏得开不了窗",
    "smoke from the bbq place downstairs is coming in through our windows",
    "steam from the restaurant exhaust is pouring onto the pavement",
    "楼道里有人烧香，满是烟，呛得很",
    "the power cable they fixed last week is fine now",
    "how can I apply for the oxygen machine subsidy for my father",
    "停电了，冰箱里的菜都坏了",
]


@pytest.mark.parametrize(("text", "kind"), IMPLICIT)
def test_implicit_emergencies_are_caught(text: str, kind: str) -> None:
    assert emergency_kind(text) == kind


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_raise_no_hazard(text: str) -> None:
    assert find_hazards(text) == []


@pytest.mark.parametrize("text", [
    "垃圾臭得像煤气，不过不是漏气", "电梯里没有人被困", "差点撞到小孩", "上个月着过一次火",
    "明天消防演练", "希望加装电梯", "水管爆了", "臭得像煤气一样但不是漏气",
])
def test_denials_inside_and_around_the_span_are_read(text: str) -> None:
    assert find_hazards(text) == []


@pytest.mark.parametrize(("text", "dismissed"), [
    ("楼道里有人烧香，烟很大", True),
    ("smoke from the bbq stall downstairs comes in every evening", True),
    ("楼道里烟很大", False),
    ("楼下烧烤店的炭火把遮阳棚点着了，烟很大", False),
])
def test_smoke_with_an_everyday_source_dismisses_the_models_leaning(text: str,
                                                                    dismissed: bool) -> None:
    hits, said = scan_hazards(text)
    assert said is dismissed
    assert hits == [] or not dismissed


# A cable TV, network or phone line carries no dangerous current: hanging down or broken it is
# a repair, with no alarm and no "is anyone in danger?" question; a power line down still is
# an emergency, and so is a telecom line tangled with one or sparking.
TELECOM_DOWN = [
    "the cable TV line is hanging down",
    "有线电视线掉下来了",
    "网线垂下来",
    "the phone wires are down on our street",
    "a downed telephone line across the footpath",
    "光纤被货车刮断了，掉在路上",
]
POWER_DOWN = [
    "a power cable is hanging down",
    "电线掉下来了",
    "路边的电线断了，一头垂到地上",
    "the cable TV line came down on a power line and it is sparking",
    "有线电视线和电线缠在一起掉下来了",
]


@pytest.mark.parametrize("text", TELECOM_DOWN)
def test_a_telecom_line_down_is_no_power_hazard(parser: BuiltinParser, text: str) -> None:
    assert scan_hazards(text) == ([], True)  # no hit, and the model's leaning is dismissed
    parse = parser.parse(text)
    assert (parse.alarm, parse.emergency) == (None, None)
    assert parse.urgency is not None
    assert parse.urgency.name != "critical"


@pytest.mark.parametrize("text", POWER_DOWN)
def test_a_power_line_down_is_still_an_electric_emergency(parser: BuiltinParser,
                                                           text: str) -> None:
    parse = parser.parse(text)
    assert (parse.alarm, parse.emergency) == ("certain", "electric")
    assert parse.category is not None
    assert parse.category.name == "utilities"


def test_there_are_enough_phrasings() -> None:
    assert len(IMPLICIT) >= 45
    assert len(NEAR_MISSES) >= 45


@pytest.mark.parametrize(("text", "kind", "category"), [
    ("为了停车位两个人吵起来了，现在有人头上全是血", "police", "security"),
    ("隔壁一直有煤气味，敲门没人应，独居的老人会不会出事", "gas", "utilities"),
    ("路口的变压器在冒烟还打火花", "electric", "utilities"),
    ("有人打电话说我儿子出车祸了，让我马上转账", "fraud", "security"),
    ("我爸有老年痴呆，早上出门到现在没回来", "missing", "security"),
    ("502的独居阿婆三天没下楼了，敲门没反应", "welfare", "social_services"),
    ("楼道里浓烟滚滚，看不清路", "fire", "fire_safety"),
])
def test_critical_tickets_take_the_hazards_category(parser: BuiltinParser, text: str,
                                                    kind: str, category: str) -> None:
    parse = parser.parse(text)
    assert (parse.alarm, parse.emergency) == ("certain", kind)
    assert parse.category is not None
    assert parse.category.name == category
