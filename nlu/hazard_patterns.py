"""The curated life-safety pattern lists (data for `emergency.py`).

Patterns see `normalize(text)`: simplified, lower-case, half-width. They are broad on purpose and
written per kind of danger, never per message; common typos residents make (煤汽, 然气, 着伙,
电悌) are included. `emergency.py` removes negated, past and hypothetical hits.
"""

from __future__ import annotations

_GAS = r"(?:煤气|燃气|天然气|液化气|煤汽|燃汽|然气|媒气|瓦斯|沼气)"
_KIN = (r"(?:孩子|小孩|儿子|女儿|老人|爷爷|奶奶|姥姥|外婆|外公|老爸|老妈|我爸|我妈|爸爸|妈妈|老伴|"
        r"学生|闺女|老太太|老大爷|婆婆|孙子|孙女|外孙|宝宝|小朋友)")
_BUILDING = (r"(?:楼|房|屋|(?<!围)墙|屋顶|天花板|阳台|脚手架|鹰架|架子|塔吊|吊车|桥|外墙"
             r"|地基|基坑)")
_HOME = r"(?:家|屋|店|室|户|房间|一楼|楼里|地下室|车库|客厅|卧室)"
_LIFT = r"(?:电梯|电悌|店梯|升降梯)"

ZH: dict[str, list[str]] = {
    "gas": [
        rf"{_GAS}.{{0,6}}(?:味|泄|漏|臭|喷)", rf"闻到.{{0,6}}{_GAS}", r"燃起味|燃起的味",
        rf"(?:像|类似).{{0,2}}{_GAS}|气体[^,.!?]{{0,6}}喷",
        r"(?<!胎)(?<!车胎)漏气(?!门)|(?<![扔砸])臭鸡蛋",
        rf"(?:{_GAS}|气)(?:管|管道|管子|表(?![箱柜盒盖门])|罐|瓶|阀)\S{{0,6}}(?:挖断|挖破|断了|破了|脱开|喷|呲呲|嘶嘶|钻穿|钻破|打穿|打破|穿了|弄破)",
        # An unnamed pipe dug or broken through that now lets out gas (a gas main's yellow pipe,
        # hissing, a sharp smell); water and steam do not count.
        r"(?:管|管道|管子)[^。!?]{0,8}(?:挖断|挖破|挖裂|弄断|弄破|打断|钻破|钻穿|压断)[^。!?水]{0,16}"
        r"(?:冒气|喷气|往外(?:冒|喷|呲)气|嘶嘶|呲呲|怪味|臭味|刺鼻)",
    ],
    "fire": [
        r"(?<!打不)(?<!点不)(?<!显)[着著]火|起火|失火|火灾|烧起来|烧着了|着伙|招火|起伙|火警|放火|纵火",
        r"火势|大火|火光|火很大|火越来越大|火还没灭|火苗.{0,4}(?:窜|蹿|冒|很大|越来越)",
        r"(?<!发)(?<!高)烧到(?![\d一二三四五六七八九十])",
        r"冒烟|浓烟|黑烟|烟很浓|烟往.{0,4}(?:灌|冒|窜)",
        r"(?:全是|都是|满是|好多|很多|有|满)烟(?!花|头|酒|草|囱|民|味)",
        r"烟雾.{0,4}(?:很大|弥漫|好大)|烧焦味|焦糊味|烧塑料的?味|爆炸|爆燃|自燃|炸了(?!锅)",
        r"燃烧|火烧|烧了起来|烧伤|在烧(?!烤|饭|水|菜|香|纸|开|垃圾|树叶|落叶|秸秆)",
        r"(?:气罐|煤气罐|液化气罐|钢瓶|气瓶|燃气管|煤气管)\S{0,2}爆",
        r"烟味?[^。!?]{0,8}不(?:是|像)(?:做饭|炒菜|烧饭|厨房|油烟|饭菜|烧烤)|不(?:是|像)(?:做饭|炒菜|烧饭)的(?:烟|味)",
        r"烟味[^,.!?]{0,6}(?:越来越(?:大|浓|重)|很浓|很呛|呛得)",
    ],
    "electric": [
        r"电线(?!杆).{0,6}(?:掉|断|落|泡在|打火|火花|冒火|冒烟|烧|带电|裸露)",
        r"(?:掉|断|落)(?:下来)?(?:了|的)?.{0,3}电线", r"漏电|触电|电到人|打火花|冒火花|电火花",
        r"带电|被电(?:倒|伤|到|晕)|电倒|电晕|电击", r"高压线.{0,4}(?:掉|断|落|打火|冒火)",
        r"电线杆.{0,3}(?:倒|断)|(?:电箱|配电|电表箱|电缆|变压器|变电箱|电闸).{0,6}(?:冒烟|着火|起火|爆|打火|火花|冒火)",
        r"(?:泡|淹)[^。]{0,8}(?:还有电|带电|没断电|没有断电)",
        r"(?:积水|水里|水中|水塘)[^,.!?]{0,8}(?:电线|电缆|插座|插线板)|(?:电线|电缆|插线板)[^,.!?]{0,8}(?:水里|积水|泡水|浸在水)",
    ],
    "medical": [
        r"晕倒|昏倒|昏迷|晕过去|昏过去|倒地|不省人事|没有?(?:了)?呼吸|没意识|没有?心跳|心肺复苏",
        r"(?:人|他|她|老人)?(?:躺着|倒着|趴着)(?:一)?动不动|一动不动",
        r"喘不上气|胸口(?:疼|痛|闷)得(?:厉害|不行|受不了)|胸口剧痛|躺(?:在)?地上(?:不动|起不来|了)",
        r"心脏病(?:发作|犯了)|(?:突然|刚刚|刚才|好像)(?:中风|脑梗|心梗)|(?:中风|脑梗|心梗)了",
        r"抽搐|吐血|大出血|流了?很多血|流血|血流不止|休克|叫不醒|喊不醒|不清醒|(?<!得)喘不过气|脸都紫",
        r"(?:摔倒|跌倒|摔了|倒在).{0,12}(?:起不来|不动|动不了|昏|晕)|躺在地上",
        r"(?:人|老人|孩子|他|她|大爷|阿姨|奶奶|爷爷)\S{0,4}倒在(?:家|地|屋)",
        r"割腕|服毒|喝农药|误(?:喝|吞|食)|吃了.{0,4}安眠药|中毒|窒息|噎住|卡住喉咙",
        r"受了重伤|伤得很重|重伤|车祸|撞(?:了|倒|到)人",
        # A life-support machine at home without power: the outage is a medical emergency.
        r"(?:制氧机|呼吸机|氧气机|吸氧机|透析机)[^。!?]{0,24}(?:停电|没电|断电|停了电)"
        r"|(?:停电|没电|断电|停了电)[^。!?]{0,30}(?:制氧机|呼吸机|氧气机|吸氧机|透析机)",
        r"(?:人|孩子|小孩|老人|行人|学生|骑车的)\S{0,3}被(?:车)?撞|羊水破|要生了|生孩子了",
        r"撞(?:到|倒|伤|飞)了?(?:人|孩子|小孩|老人|行人|学生|小朋友)",
        r"(?:头|脸|手|腿|身上)[^,.!?]{0,4}(?:全是血|都是血|在流血|流了好多血|破了好多血)|满身是血|满脸是血",
        r"(?:打|砍|捅|咬)(?:伤|破)了?\S{0,4}(?:头|人|脸|手)|(?:被打|被砍|被捅)[^,.!?]{0,6}(?:流血|出血|受伤|住院|晕|倒)",
    ],
    "police": [
        r"跳楼|要跳下去|想跳下去|要跳河|跳下去|轻生|想不开|不想活|想死|自杀|站在(?:楼顶|天台|窗台)",
        r"持刀|拿刀|拿着刀|举着刀|菜刀|砍刀|用刀|砍人|捅人|砍伤|捅伤|被捅|行凶|(?:拿|持|有|掏出?)枪",
        r"枪声|开枪|打人(?!社|力)|打架|群架|斗殴|群殴|殴打|家暴|动手打|被打(?![扰针电疫折卡开包印湿断])|围着.{0,4}打",
        r"打(?:我|孩子|小孩|老婆|老人|女人)(?!电话|手机)|掐(?:我|脖子|她|他|住)",
        r"抢劫|抢包|抢东西|绑架|劫持|人贩子|抱走|拖上车|拉上车|(?:正在|在)撬|闯进",
        r"把[^。]{0,4}推(?:下|倒)(?:楼梯|楼|在地)?|推下楼",
        r"威胁要杀|杀人|要杀(?:了)?(?:我|你|他|她)|杀了(?:我|你|他|她)",
        r"(?:往|拽|拖|拉|塞)(?:上)?车(?:上|里)?(?:拽|拖|拉|塞)|拽上车|塞进车",
        r"(?:跟着|尾随|跟踪)[^。]{0,20}(?:还在外面|还没走|躲在|躲进)|躲(?:在|进)[^。]{0,10}(?:还在外面|没走)",
        r"(?:吵架|吵起来|打起来|动手|打架|冲突|争执|推搡|扭打)[^。]{0,30}(?:流血|出血|全是血|都是血|满脸是血"
        r"|满身是血|打伤|打破|受伤|晕过去|倒地|救命|哭喊|尖叫|躺(?:在)?地上"
        r"|砸(?:了|到|伤|破)?[^,.!?]{0,6}头)",
        r"(?:头|脸|人|鼻子|眼睛)(?:被|给)?(?:打|砍|捅|砸)(?:破|伤|出血|晕|肿)",
        r"快报警|赶紧报警|帮我报警|帮忙报警",
        r"喊(?:着)?(?:别打了|救命)",
    ],
    "missing": [
        rf"走丢|走失|失踪|跑丢|找不到.{{0,3}}{_KIN}|{_KIN}[^,，。!?]{{0,12}}"
        r"(?:没回家|没回来|没到家|找不到|不见了|联系不上|跑丢|走丢)",
        r"(?:痴呆|失智|阿尔茨海默|智力障碍|自闭症|糊涂).{0,15}(?:找不到|不见|没回|走丢|跑出去|出门|溜出去)",
        r"(?:出门|出去).{0,10}(?:没回来|没回家|没到家|找不到人)",
        r"(?:没回来|没回家|找不到)[^。]{0,12}(?:痴呆|失智|阿尔茨海默|糊涂)",
        r"(?:出去|出门|走了|放学|上学|跟同学)[^。]{0,12}(?:到现在|至今)[^。]{0,4}(?:联系不上|没回|找不到)",
    ],
    "welfare": [
        r"(?:老人|独居)[^,.!?]{0,10}(?:没有?动静|动静都没有)",
        r"(?:老人|奶奶|爷爷|阿姨|大爷|独居|邻居|老太太|老伯|婆婆|阿婆|老爷子|老头|他|她)[^,.!?]{0,12}"
        r"(?:好几天|几天|[两三四五六七八九十]天|多天|一个星期|一周|一个礼拜)[^,.!?]{0,4}(?:都)?(?:没|不见)"
        r"(?:出门|动静|见|露面|下楼|下来|人影)",
        r"(?:好几天|几天|[两三四五六七八九十]天|一个星期|一周)[^。]{0,10}(?:没见|没下来|没出门)[^。]{0,10}"
        r"(?:关机|打不通|没人接|不接)",
        r"(?:敲门|按门铃|叫门)[^,.!?]{0,4}(?:没有?反应|没人应|不应|没人开|也不开|不开|没动静)",
        r"(?:一个人住|独居|孤寡)[^。]{0,20}(?:好几天|几天|两天|三天|多天|一个星期|一周)[^。]{0,6}"
        r"(?:没见|没出门|没下楼|没露面|没动静)",
        r"(?:瘫痪|独居|老人|阿姨|老太太|大爷|老伯)[^。]{0,30}(?:一点声音都没有|一点动静都没有|没有?动静了"
        r"|没声音了)",
        r"(?:独居|一个人住|一个人在家|孤寡|空巢)[^。!?]{0,20}(?:没人接|不接|打不通|联系不上|没人应|没反应)",
        r"(?:电话|打电话)[^。!?]{0,8}(?:没人接|不接|打不通)[^。!?]{0,12}(?:独居|一个人住|一个人在家)",
        r"(?:报纸|牛奶|快递|外卖)[^,.!?]{0,6}(?:好几天|几天|两天|三天)[^,.!?]{0,4}没(?:拿|收|人拿)",
    ],
    "fraud": [
        r"(?:马上|立刻|赶紧|现在|立即|赶快)[^。!?，,]{0,6}(?:转|汇|打)[^。!?，,]{0,5}(?:块|万|元)",
        r"冒充(?:公检法|公安|警察|检察|法院|银行|客服|领导|老师|医生|民警)[^。]{0,30}"
        r"(?:转账|汇款|打钱|转钱|安全账户|验证码|密码|去银行|(?:转|汇)[^。!?，,]{0,5}(?:块|万|元))",
        r"安全账户|(?:转|打)到.{0,4}指定(?:的)?账户",
        r"(?:转账|汇款|打钱|转钱|汇钱)[^。!?]{0,10}(?:不然|否则)"
        r"|(?:马上|立刻|赶紧|现在|立即|赶快)(?:就)?(?:要|让|叫)?(?:我|她|他|老人)?(?:去)?(?:转账|汇款|打钱|转钱|汇钱)",
        r"(?:出了?车祸|出事了?|被抓|被拘|住院|撞了人|要做手术|打伤了人)[^。]{0,24}"
        r"(?:转账|汇款|打钱|转钱|汇钱|要钱|交钱|保证金|手术费|(?:转|汇|打)[^。!?，,]{0,5}(?:块|万|元))",
        r"(?:取|转|汇)[^。!?]{0,6}(?:万|块)[^。]{0,12}(?:保证金|赎金|保释金|手术费)",
        r"正在被骗|(?:骗子|诈骗)[^。!?]{0,10}(?:正在|还在|现在)|"
        r"(?:让|叫|要|逼)(?:我|老人|我妈|我爸|她|他|奶奶|爷爷|外婆|外公)[^。!?]{0,8}(?:去银行转|转账|汇款|报验证码|说验证码)",
    ],
    "flood": [
        rf"水[^,.!?]{{0,8}}(?:灌|冲|涌|漫|淹|倒灌)[^,.!?]{{0,6}}{_HOME}",
        rf"水.{{0,4}}进.{{0,4}}{_HOME}.{{0,8}}(?:深|米|膝盖|腰|出不来|出不去)|水进(?:屋|家|门|店)了",
        rf"{_HOME}[^,.!?]{{0,6}}(?:灌|涌|淹)|{_HOME}[^,.!?]{{0,6}}(?:冲|漫)(?:进|入|了)",
        r"水从(?:天花板|楼上|屋顶|墙里)[^,.!?]{0,4}(?:往下)?(?:灌|涌|冲|喷)",
        rf"漫进.{{0,4}}{_HOME}|{_HOME}.{{0,3}}进水|家里.{{0,3}}(?:全是|都是|进)水|倒灌|洪水|山洪|决堤",
    ],
    "rescue": [
        r"被困|困在|困住|关在电梯|卡在电梯|困电梯|(?<!无)关人|夹住了?人|夹着人",
        rf"{_LIFT}.{{0,12}}(?:困|关|卡|坠|掉)(?!过)(?:住|在|了)?.{{0,4}}(?:人|小孩|孩子|老人|我|里面)",
        rf"{_LIFT}.{{0,12}}(?:(?:有人|人)在?里面|在里面|出不去|出不来)",
        rf"{_LIFT}.{{0,6}}(?:停|卡)(?:了|住|在).{{0,14}}(?:门打不开|出不去|出不来|有人|里面有)",
        r"(?:人|孩子|小孩|老人).{0,3}(?:卡|关|困)在",
        r"(?:卡|停)在[^,.!?]{0,10}(?:中间|之间)[^。]{0,16}(?:里面|出不来|出不去)"
        r"|(?:在|困在|关在|锁在)里面[^,.!?]{0,4}出不(?:来|去)",
        r"(?:泥|土|石头|山体)[^,.!?]{0,4}(?:往下滑|冲下来|滚下来|滑下来)",
        rf"{_BUILDING}[^,.!?\s棚]{{0,6}}(?:坍塌|倒塌|塌了|塌下来|要塌|垮塌|垮了|要倒|倒了|倒下|倒向|在晃"
        r"|摇晃|摇摇欲坠)",
        # An awning, a shed or a carport coming down is a repair unless someone is under it.
        r"(?:雨棚|车棚|遮阳棚|凉棚|棚子|彩钢棚|铁棚|大棚|工棚)[^,.!?\s]{0,6}(?:塌|倒|垮|砸)[^。!?]{0,12}"
        r"(?:有人|人在|下面有|底下有|里面有|砸(?:到|伤|中)|压(?:到|住|着)|被埋|困)",
        r"(?<!管)裂(?:缝|开|了).{0,10}(?:越来越|还在|变宽|变大|好大|很大|一直|住户|人还在)",
        r"塌方|被埋|掉渣|往外鼓|快塌了|要塌了|车里.{0,4}有人|(?:还|困|卡)在车里",
        r"(?:车里|车内|里面|底下|下面|屋里)的?(?:人|司机|孩子|小孩|老人)[^,.!?，。！？]{0,4}出不(?:来|去)",
        # The ground or a wall sinking (路面下陷, 墙角下沉) is a repair unless a person or a
        # vehicle went in, or it is still going on.
        r"(?:下陷|下沉|塌陷|陷下去|塌下去)[^。!?]{0,12}(?:掉(?:进|下)|陷进|栽进|有人|人在|车里|被埋|被困"
        r"|越来越(?:大|深|快)|还在(?:往下)?(?:陷|沉|塌)|一直在(?:往下)?(?:陷|沉|塌))"
        r"|(?:在|不停地?)往下(?:陷|沉)|越陷越深"
        r"|(?:车|汽车|轿车|电动车|三轮车|货车|公交车)[^,.!?]{0,4}(?:掉|陷|栽)(?:进|到|下)(?:了|去)?"
        r"[^,.!?]{0,4}(?:坑|洞|沟|井)",
        r"(?:水泥块|砖块|整块|石块|混凝土)[^,.!?]{0,4}(?:往下掉|掉下来|砸)",
        r"(?:压住|压到|砸到|砸中|砸伤|压在)了?\S{0,6}(?:人|行人|工人|孩子|小孩|老人|路人)|被压在|压在下面",
        # The person named first: 「卷帘门把一个老人压住了」, 「老人被倒下的柜子压住了」.
        r"把[^,.!?，。！？]{0,8}(?:人|行人|工人|孩子|小孩|老人|路人|老太太|老大爷|老奶奶|老爷爷)"
        r"[^,.!?，。！？]{0,3}(?:压住|压到|砸到|砸中|砸伤|压在)",
        r"(?:人|行人|工人|孩子|小孩|老人|路人|老太太|老大爷)(?:被|给)[^,.!?，。！？]{0,8}"
        r"(?:压住|压到|砸到|砸中|砸伤)",
        r"溺水|落水|掉进(?:河|水|井|湖|海|江)|(?:冲|开|掉|翻)进.{0,2}(?:河|水|江|湖|海|塘|沟)",
        r"(?:人|孩子|小孩|老人).{0,6}掉(?:下去|进去|进)|救命|山体滑坡|滑坡|泥石流|刹车失灵|失控",
        r"(?:孩子|小孩|小朋友|儿童|娃)[^。!?]{0,8}(?:一个人|独自|自己|没大人)[^。!?]{0,8}"
        r"(?:河|湖|江|塘|水库|水边|海边|井边|水池)|(?:河|湖|江|塘|水库|水边|海边)(?:边|里)?[^。!?]{0,6}"
        r"有?[一两三几]?个?(?:小孩|孩子|小朋友)[^。!?]{0,8}(?:没大人|没人看|一个人|在玩水)",
        r"(?:小孩|孩子|小朋友)[^。]{0,20}(?:走到水里|下到水里|掉水里|在水里)",
    ],
}

_PERSON = (r"(?:child|kid|boy|girl|son|daughter|toddler|baby|elder|elderly|grandma|grandpa|"
           r"grandmother|grandfather|mother|father|mom|mum|dad|old man|old woman|old lady|"
           r"person|man|woman|husband|wife|neighbou?r|student)s?\b")
_PLACE = r"(?:home|house|flat|apartment|basement|room|living rooms?|ground floor|flats|homes)"

EN: dict[str, list[str]] = {
    "gas": [
        r"\bgas\s+(?:leak|smell|odou?r)|smell(?:s|ing)?\s+(?:of\s+|like\s+)?(?:gas|propane)\b",
        r"leak(?:s|ing)?\s+gas|rotten[\s-]eggs?|hiss(?:es|ing)?\b",
        r"gas\s+(?:pipe|line|main|meter|cylinder|tank)s?\b(?!\s+(?:box|cabinet|cupboard|cover|door|lid"
        r"|panel|reading|bill|room|closet))(?!\s+\w+\s+(?:box|cabinet|cover|door|lid))"
        r".{0,30}(?:hit|broken|burst|rupture|leak)",
        r"hit\s+a\s+gas\s+(?:pipe|line|main)",
        r"(?:dug|cut|hit|broke|cracked|drilled)\s+(?:through\s+|into\s+)?(?:a|the)\s+(?:yellow\s+)?"
        r"pipe\b[^.!?]{0,40}(?:hiss|fumes|strong smell|smells? (?:awful|terrible|strange))",
        r"(?:break|broke|broken|damage\w*|cut|dig\w*)\s+(?:the\s+|a\s+)?gas\s+(?:pipe|line|main)"
        r"|gas\s+(?:is\s+)?(?:coming out|leaking|escaping|hissing)",
    ],
    "fire": [
        r"\bfire\b(?!\s*(?:lane|exit|door|escape|extinguisher|hydrant|station|department|alarm|"
        r"safety|code|hazard|drill|route|access|inspection|hose|proof|pit|place|risk|engine|"
        r"truck|brigade|service|marshal|button|panel|system|wall))",
        r"on fire|caught fire|\bflames\b(?! on)|flames? (?:coming|shooting|everywhere|from|out of)"
        r"|in flames|\bblaze\b",
        r"(?<!open )\bburning\b(?!\s+(?:of\s+)?(?:trash|leaves|rubbish|garbage|paper|offerings"
        r"|incense|wood|smell))",
        r"(?:is|are|was)\s+burning|something(?:'s| is)? burning|burning\s+(?:smell|building|house|"
        r"car|flat|apartment|vehicle)|smell\w*\s+(?:of\s+|like\s+)?(?:smoke|burning)",
        r"smoke\s+(?:is\s+)?(?:coming|pouring|billowing|rising|filling|everywhere|from|in the)",
        r"smoke.{0,20}not (?:from )?(?:cooking|the kitchen|a bbq|a barbecue)",
        r"(?:thick|black|heavy|lots of)\s+smoke|full of smoke|explo(?:sion|ded)",
    ],
    "electric": [
        r"live\s+(?:wires?|cables?)|(?:power|electric\w*)\s+lines?\s+(?:is\s+|are\s+)?down",
        r"downed\s+(?:power\s+)?(?:lines?|wires?)",
        r"(?:power|electric\w*|high[- ]voltage)\s+(?:cables?|lines?|wires?)\s+(?:\w+\s+){0,3}?"
        r"(?:came down|come down|fell|fallen|snapped|broke|lying|hanging down"
        r"|on the (?:ground|road|pavement|street|sidewalk))",
        r"(?:wires?|cables?)\b.{0,60}\b(?:crackl\w*|buzzing and sparking)",
        r"wires?\s+(?:is\s+|are\s+)?(?:down|on the ground)",
        r"(?:wire|cable)s?\b.{0,20}(?:in the water|in the puddle|in the flood)|"
        r"\bsparks?\b|sparking|arcing|electrocut|exposed\s+(?:live\s+)?wires?|got\s+(?:a|an)\s+"
        r"(?:electric\s+)?shock|electric shock|(?:pole|post|railing|fence)\s+is\s+live",
    ],
    "medical": [
        r"unconscious|not breathing|passed out|heart attack|seizure|choking(?! the)",
        r"overdose|bleeding|fainted|stroke\b|can'?t wake|cannot wake|no pulse|\bcpr\b",
        # A life-support machine at home without power: the outage is a medical emergency.
        r"(?:oxygen|ventilator|respirator|dialysis)\b.{0,60}(?:no power|without power|power\s+"
        r"(?:is\s+|went\s+|has\s+gone\s+)?(?:out|off|cut|down)|outage|blackout|no electricity)"
        r"|(?:no power|without power|power\s+(?:is\s+|went\s+|has\s+been\s+)?(?:out|off|cut|down)|"
        r"outage|blackout|no electricity).{0,80}(?:oxygen|ventilator|respirator|dialysis)\b",
        r"(?:is|he's|she's|was|found|lying)\s+unresponsive|unresponsive\s+(?:man|woman|person|child)",
        r"(?:he|she|man|woman|someone|person|neighbou?r|dad|mom|mum|father|mother|grandma|grandpa|"
        r"elderly|old)\s+(?:\w+\s+)?(?:has\s+|just\s+)?collapsed",
        r"(?:car|truck|bus|van|motorbike|scooter)\s+(?:\w+\s+)?(?:hit|knocked down|ran over)\s+"
        r"(?:a|an|the|my|our|some)\s+(?:child|kid|boy|girl|man|woman|person|old|elderly|pedestrian"
        r"|cyclist|rider)|(?:heat ?wave|heat|hot).{0,40}confused|confused.{0,40}(?:heat|hot\b)",
        r"(?:fell|fallen) and (?:can'?t|cannot) get up|(?:is|he's|she's|baby|child|kid|someone)"
        r"\s+choking|choking on|can'?t breathe|lying (?:on the floor|in the road|on the road"
        r"|on the ground)",
        r"(?:he|she|someone|person|man|woman|rider|child|kid|body)\s+(?:is\s+)?not moving",
        r"(?:he|she|someone|person|man|woman|body|child|kid)\s+(?:won'?t|doesn'?t|isn'?t|is not)"
        r"\s+respond\w*|lying (?:at the bottom|on the stairs)",
        r"and not moving|(?:people|someone|person|kid|child|he|she)\s+(?:is|are|got|was)\s+"
        r"(?:hurt|injured)|in labou?r|baby is coming|hit (?:a|by a) (?:pedestrian|car)",
        r"(?:people|someone|person|man|woman|child|kid|worker|rider|driver|pedestrian)s?\s+"
        r"(?:\w+\s+)?injured|injured\s+(?:person|people|man|woman|child|kid|worker)|\bmva\b",
    ],
    "police": [
        r"\bknife|\bgun\b|weapon|armed\b|stabb|machete|(?<!flu )(?<!booster )\bshots?\b|"
        r"shooting(?!\s+up)|assault",
        r"pry(?:ing)? open|\bcrowbar",
        r"\bfight(?:ing)?\b(?!\s+(?:about|over))|breaking in|break-in(?!s)",
        r"domestic violence|being attacked|attacking|robbery|robbed|kidnap|abduct",
        r"(?:burglary|break-in|robbery|fight|assault|attack)\s+in progress",
        r"(?:someone|somebody|man|men|people|they|he|she)\s+(?:is|are)\s+(?:breaking|trying to "
        r"break)\s+in|screaming (?:for help|in pain)|(?:woman|man|child|kid|someone|neighbou?r)"
        r" (?:is )?screaming|(?:she|he)'?s screaming|beating\s+(?:a|his|her|the|my|some)",
        r"(?:a|big|huge|street|gang)\s+fight\b|brawl|fist ?fight",
        r"hit\s+(?:him|her|the other|another|someone|a man|a woman|my \w+)\s+with\s+(?:a|an)\s+"
        r"(?:brick|bottle|stick|knife|hammer|bat|chair|rock|stone|pipe)",
        r"(?:follow\w*|stalk\w*)\b.{0,60}(?:hiding|waiting outside|still outside)",
        r"hit(?:ting)?\s+(?:his|her|my)\s+(?:wife|husband|kid|child|son|daughter|mother|mum|mom|"
        r"father|dad|girlfriend|boyfriend)|threaten\w*\s+to\s+(?:kill|jump)",
        r"(?:going|about|wants?)\s+to\s+jump|he'?ll jump|she'?ll jump|roof edge|suicid|"
        r"kill (?:him|her|my)sel",
        r"(?:bleeding|blood)\b.{0,30}(?:fight|punch|hit him|hit her|beat)|"
        r"(?:fight|punch\w*|beat\w*|hit)\b.{0,40}(?:bleeding|blood everywhere|knocked out)",
    ],
    "missing": [
        rf"missing\s+(?:\d+\s*(?:yo|year old)\s+)?{_PERSON}|{_PERSON}\s+(?:is|has gone|went|has "
        r"been|was|'s)\s+missing|missing since",
        rf"{_PERSON}\s+missing\b",
        rf"can'?t find\s+(?:my|our|the)\s+{_PERSON}|wandered off|lost\s+{_PERSON}",
        r"(?:didn'?t|hasn'?t|did not|has not|never|not)\s+(?:come|came)\s+(?:home|back)"
        r"|still not back(?! on)|can(?:'?t|not) find\s+(?:him|her|them)\b",
        r"(?:dementia|alzheimer).{0,60}(?:missing|gone|left|walked|wander|not back|come home)",
    ],
    "welfare": [
        r"(?:haven'?t|have not|hasn'?t|has not|nobody has|no one has)\s+(?:seen|heard from)\s+"
        r"(?:her|him|them|the old|my|our|the|this)\b.{0,40}(?:days|since|week)",
        r"not (?:been )?seen (?:for|in|since) (?:\d+|a few|several|two|three|four|five) days?",
        r"not see (?:her|him|them)\b.{0,20}days?|knock\w*.{0,15}no answer|nobody answer\w*"
        r"|(?:mail|newspapers?|post|parcels?)\b.{0,20}(?:piling up|not (?:been )?picked up)"
        r"|hasn'?t (?:picked up|collected|taken in) (?:his|her|their) (?:mail|post|newspapers?)"
        r"|left alone (?:at home )?for (?:\d+|two|three|several|a few) days",
        r"(?:not|isn'?t|won'?t|doesn'?t|didn'?t|never)\s+(?:answering|answer)\s+(?:the\s+|her\s+|"
        r"his\s+)?(?:door|phone|calls?)|no answer at (?:the|her|his) door",
        r"(?:lives|living) alone.{0,60}(?:not answering|no answer|haven'?t seen|not seen"
        r"|can'?t reach|days)|welfare check",
    ],
    "fraud": [
        r"safe account|pretend\w* to be (?:the |a )?(?:police|officer|bank|court|prosecutor)|"
        r"claim\w* to be (?:from )?(?:the )?(?:police|bank|court)",
        r"(?:transfer|wire|send)\s+(?:\w+\s+){0,2}(?:money|cash|savings|\d+\w*).{0,30}"
        r"(?:now|right now|immediately|right away|urgently|today)",
        r"(?:accident|arrested|in hospital|in jail|in trouble).{0,60}(?:transfer|wire|send)\s+"
        r"(?:\w+\s+){0,2}(?:money|cash|savings)",
        r"scam(?:mer)?s?\s+(?:is\s+|are\s+)?(?:on the phone|calling|still)|being scammed",
    ],
    "flood": [
        # A leak is not a flood: "water leaking from upstairs into my flat" is a report for the
        # building (the span may not run over leak / drip / seep), "pouring into" stays.
        rf"(?:flood\w*|water\w*|pour\w*|gush\w*|rush\w*|coming)(?:(?!leak|drip|seep|trickl).)"
        rf"{{0,40}}\binto\s+(?:the\s+|our\s+|"
        rf"my\s+|their\s+|people's\s+)?(?:[\w-]+\s+){{0,2}}{_PLACE}",
        r"water\s+(?:is\s+)?(?:coming|pouring|rushing|gushing)\s+in\b",
        rf"flooded\s+{_PLACE}|(?:foot|feet|knee|waist)\W?deep in (?:the |our |my )?\w*\s*{_PLACE}",
    ],
    "rescue": [
        r"trapped|entrapment|pinned|stuck\s+in\s+(?:the\s+)?(?:lift|elevator)|stuck inside"
        r"|stuck in there|(?:lift|elevator)\s+(?:dropped|fell|plunged)",
        r"(?:lift|elevator)\b.{0,40}(?:(?:people|someone|kid|child|person|son|daughter|mother"
        r"|father|mom|mum|dad|grandma|grandpa|baby|man|woman)\s+(?:is\s+|are\s+)?(?:still\s+)?"
        r"(?:inside|in it|in there|stuck|trapped)|can(?:not|'?t) (?:get|come) out)",
        r"(?:the|a|our)\s+(?:lift|elevator)\b.{0,40}(?:people|someone|kid|child|person|inside)",
        r"(?:person|people|someone|driver)\s+(?:still\s+)?in\s+(?:the\s+)?(?:vehicle|car)",
        r"people (?:still )?(?:inside|in it|in there)|(?:someone|person|people|child|kid)s? "
        r"(?:is |are )?(?:under|underneath)",
        r"under the (?:car|bricks|rubble|tree|debris)|toppled|caved in|drowning"
        r"|(?:someone|somebody|person|man|woman|kid|child|boy|girl|he|she)\s+fell into",
        r"(?:building|house|roof|ceiling|wall|balcony|scaffold\w*|crane|structure)s?\s+(?:\w+\s+)?"
        r"(?:collaps\w+|caved in|coming down)|cracks? (?:appearing|getting|growing|widening)",
        r"fell on(?:to)?\s+(?:a |the )?(?:pedestrian|person|people|car|stalls|playground|someone)",
        r"(?:kid|child|toddler|boy|girl|baby)\b.{0,40}(?:on|over|at) the (?:balcony|window ?sill|"
        r"railing|ledge|roof edge)",
        r"(?:孩子|小孩|宝宝|小朋友)[^。]{0,10}(?:爬|站|坐)(?:在|上|到)?[^。]{0,6}"
        r"(?:阳台|窗台|栏杆|护栏|楼顶|窗户外)",
        r"(?:kid|child|children|boy|girl|toddler)s?\b.{0,30}(?:alone|no adults?|unattended|by "
        r"themselves).{0,30}(?:river|lake|pond|canal|sea\b|water)|(?:river|lake|pond|canal)\w*.{0,30}"
        r"(?:kid|child|children)s?\b.{0,20}(?:alone|no adults?|unattended|by themselves)",
        r"(?:kid|child|children)s?\b.{0,60}(?:river|lake|pond|canal|sluice)\w*.{0,40}"
        r"(?:no adults?|unattended|alone)",
    ],
}
