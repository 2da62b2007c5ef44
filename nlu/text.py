"""Text normalisation that keeps character offsets, and language detection.

Every function here maps one character to one character, so an offset found in the normalised
text is the same offset in the resident's original text (entities point into the original).
"""

from __future__ import annotations

import re
import unicodedata

from nlu.schema import Language

# Texts longer than this are cut before the model sees them: nobody writes a 20k-character
# report, and n-gram / embedding cost grows with length.
MAX_MODEL_CHARS = 600

# Common traditional characters of resident messages -> simplified. Hand-kept (no OpenCC
# dependency); it covers the words of the domain, the life-safety patterns and daily chat.
_TRAD = (
    "這個們來裡裏沒說話電燈樓門問題機車區號對時間為與麼會開關氣燒災煙著報傷殺見聽發現壞斷髒亂"
    "處務費錢買賣實際請謝幫難愛鄰鬧聲響擾貓蟲積滿溝淹進層頂牆樹葉綠護園棟單衛傳遞網絡線觸擊戰暈醫"
    "兒丟蹤獨殘補貼養險療學戶證業辦續預約計劃規則標準應該嗎還過從經歷當後邊東長樂鄭營鎮莊灣橋廣場"
    "廳攤販佔違蓋設維換壓熱錶繳賬帳閉緊槍鬥竊盜搶騙詐監攝頭輛擋紅誌轉彎馬讓給禮週幾兩萬億點鐘"
    "樣種類認識記錄寫讀檢測試驗結決負責義權詢諮資訊價漏洩濃災焦燙爐廚綁毆劫搖晃塊裂縫倒墜掉"
    "兇惡鬥傷嚇驚慌喪殯屍臟鋼鐵銹鎖鑰匙窗簾戶陽臺台灣濕溼雜亂臭蒼蠅蚊蟑螂垃圾桶淨掃潔環衛廁"
    "歲孫爺媽爸奶婦孕嬰孩陪護餵飯藥針診掛號檢體腦癱輪椅殘疾聾啞盲障礙補償療險費撫卹優撫"
    "欄杆階梯電梯廂鐘錶燈泡罩纜箱變壓器閘閥錶計量繳納費欠停供應暖氣瓦斯罐鋼瓶灶閥門漏氣檢修"
    "噸輛駛駕違停擁堵塞紅綠燈號誌標線斑馬線隧橋閘欄廣告牌攤點擺佔道蓋違建拆遷圍擋渣土"
    "樹枝葉剪綠籬草坪澆灌園藝種菜毀壞倒伏歪斜颱風暴雨雷電冰雹霧霾颳"
    "鄰居糾紛吵架矛盾協調調解爭執漏水滲牆壁隔音擾民廣場舞噪鬧喇叭裝修施工夜間"
    "謝謝您好嗎呢吧啊喔囉嘍請問麻煩幫忙辛苦感謝取消撤銷算了不用進度處理結果回覆"
    "詐騙偷竊盜賊可疑陌生吸毒賭博打架鬥毆砍傷報警派出所門禁監控攝像"
    "醫療保險養老補貼低保殘疾證戶口居住證社保醫保就業學位學區證明開證"
)
_SIMP = (
    "这个们来里里没说话电灯楼门问题机车区号对时间为与么会开关气烧灾烟着报伤杀见听发现坏断脏乱"
    "处务费钱买卖实际请谢帮难爱邻闹声响扰猫虫积满沟淹进层顶墙树叶绿护园栋单卫传递网络线触击战晕医"
    "儿丢踪独残补贴养险疗学户证业办续预约计划规则标准应该吗还过从经历当后边东长乐郑营镇庄湾桥广场"
    "厅摊贩占违盖设维换压热表缴账账闭紧枪斗窃盗抢骗诈监摄头辆挡红志转弯马让给礼周几两万亿点钟"
    "样种类认识记录写读检测试验结决负责义权询咨资讯价漏泄浓灾焦烫炉厨绑殴劫摇晃块裂缝倒坠掉"
    "凶恶斗伤吓惊慌丧殡尸脏钢铁锈锁钥匙窗帘户阳台台湾湿湿杂乱臭苍蝇蚊蟑螂垃圾桶净扫洁环卫厕"
    "岁孙爷妈爸奶妇孕婴孩陪护喂饭药针诊挂号检体脑瘫轮椅残疾聋哑盲障碍补偿疗险费抚恤优抚"
    "栏杆阶梯电梯厢钟表灯泡罩缆箱变压器闸阀表计量缴纳费欠停供应暖气瓦斯罐钢瓶灶阀门漏气检修"
    "吨辆驶驾违停拥堵塞红绿灯号志标线斑马线隧桥闸栏广告牌摊点摆占道盖违建拆迁围挡渣土"
    "树枝叶剪绿篱草坪浇灌园艺种菜毁坏倒伏歪斜台风暴雨雷电冰雹雾霾刮"
    "邻居纠纷吵架矛盾协调调解争执漏水渗墙壁隔音扰民广场舞噪闹喇叭装修施工夜间"
    "谢谢您好吗呢吧啊喔啰喽请问麻烦帮忙辛苦感谢取消撤销算了不用进度处理结果回复"
    "诈骗偷窃盗贼可疑陌生吸毒赌博打架斗殴砍伤报警派出所门禁监控摄像"
    "医疗保险养老补贴低保残疾证户口居住证社保医保就业学位学区证明开证"
)
assert len(_TRAD) == len(_SIMP), (len(_TRAD), len(_SIMP))
# More pairs, written "繁简" (easier to keep aligned than two long strings).
_PAIRS = (
    "隱隐 衝冲 鷹鹰 歡欢 頁页 構构 藝艺 雙双 雞鸡 魚鱼 鳥鸟 麵面 黃黄 齊齐 龍龙 團团 "
    "圍围 圖图 執执 堅坚 夠够 夢梦 奪夺 奮奋 孫孙 寧宁 審审 專专 將将 島岛 嶺岭 幣币 "
    "庫库 廢废 廟庙 強强 彈弹 徑径 復复 徵征 憂忧 懷怀 態态 慣惯 憤愤 戲戏 拋抛 掃扫 "
    "掛挂 揚扬 損损 擁拥 擇择 擔担 據据 擠挤 擬拟 擴扩 攔拦 敵敌 數数 於于 曬晒 書书 "
    "條条 極极 橫横 檔档 櫃柜 歐欧 歸归 況况 淚泪 淺浅 減减 湯汤 溫温 滅灭 滾滚 漲涨 "
    "潑泼 潔洁 澆浇 濟济 無无 煉炼 煩烦 爭争 狀状 獎奖 獲获 環环 產产 畫画 異异 瘋疯 "
    "盡尽 盤盘 確确 礙碍 禍祸 稅税 稱称 穩稳 窮穷 競竞 筆笔 節节 範范 築筑 簡简 糧粮 "
    "糾纠 紀纪 紙纸 級级 細细 終终 組组 絕绝 統统 絲丝 締缔 緩缓 編编 縣县 總总 績绩 "
    "織织 繞绕 繩绳 罰罚 罵骂 羅罗 習习 聖圣 聞闻 聯联 職职 肅肃 脅胁 腳脚 膠胶 臉脸 "
    "臨临 興兴 舉举 舊旧 藥药 蘇苏 蝕蚀 蠟蜡 裝装 製制 複复 襲袭 視视 親亲 覺觉 觀观 "
    "訂订 討讨 訓训 訪访 許许 訴诉 詞词 詳详 誇夸 誤误 誰谁 課课 調调 談谈 諒谅 論论 "
    "講讲 譯译 議议 變变 豐丰 貝贝 財财 貨货 貧贫 貴贵 賊贼 賠赔 賭赌 質质 購购 贈赠 "
    "趕赶 跡迹 軌轨 軍军 軟软 較较 載载 輕轻 輪轮 輸输 轟轰 辭辞 農农 連连 遊游 運运 "
    "達达 遠远 適适 遲迟 選选 遺遗 郵邮 鄉乡 釋释 針针 鈴铃 銀银 銷销 鋪铺 錯错 鍋锅 "
    "鍵键 鏈链 鏡镜 閃闪 閒闲 閱阅 闆板 陣阵 陰阴 陳陈 陸陆 隊队 隨随 隻只 雖虽 霧雾 "
    "靈灵 靜静 項项 順顺 須须 頓顿 領领 頻频 顆颗 額额 顏颜 願愿 顧顾 顯显 風风 飛飞 "
    "飲饮 飼饲 飽饱 餓饿 餘余 館馆 駐驻 駕驾 騎骑 驚惊 體体 髮发 鬱郁 鮮鲜 鹽盐 麥麦 "
    "黨党 齡龄 姦奸 殼壳 嚴严 劑剂 噴喷 墜坠 壓压 塊块 瀉泻 氣气 癱瘫 癲癫 燼烬 盪荡 "
    "來来 裡里 處处 觸触 擋挡 撐撑 壞坏 淹淹 漫漫 湧涌 灌灌 滲渗 鑽钻 錘锤 螺螺 "
)
_T2S: dict[int, int] = {ord(t): ord(s) for t, s in zip(_TRAD, _SIMP, strict=True) if t != s}
_T2S.update({ord(pair[0]): ord(pair[1]) for pair in _PAIRS.split()
             if len(pair) == 2 and pair[0] != pair[1]})
# Full-width ASCII (Ｕ+FF01..FF5E) and the ideographic space fold to plain ASCII.
_T2S.update({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
_T2S[0x3000] = ord(" ")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def _fold_char(char: str) -> str:
    """Lower-case one character, or a space for control/format characters (never 2 chars)."""
    if unicodedata.category(char)[0] == "C":
        return " "
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def normalize(text: str) -> str:
    """Simplified, half-width, lower-case, control chars blanked; same length as `text`."""
    return "".join(_fold_char(char) for char in text.translate(_T2S))


def clean_input(text: object) -> str:
    """Whatever the caller passed, a str without NUL or lone surrogates (never raises)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    # Lone surrogates cannot be encoded to UTF-8, which the embedding engine needs.
    return text.encode("utf-8", errors="replace").decode("utf-8").replace("\x00", " ")


def model_text(text: str) -> str:
    """The normalised, truncated, whitespace-collapsed text the classifiers see."""
    return " ".join(normalize(text[:MAX_MODEL_CHARS]).split())


def detect_language(text: str) -> Language:
    """Chinese when CJK characters carry the message, English when Latin letters do."""
    cjk = len(_CJK.findall(text))
    latin_words = len(re.findall(r"[A-Za-z]+", text))
    if cjk == 0 and latin_words > 0:
        return "en"
    # Mixed messages ("楼下的 street light 又坏了") are Chinese unless English clearly dominates.
    return "en" if latin_words > 3 * cjk else "zh"


def has_content(text: str) -> bool:
    """True when the text has at least one letter, digit or CJK character."""
    return any(char.isalnum() for char in text)


def looks_like_junk(text: str) -> bool:
    """One or two characters repeated ("楼楼楼…", "哈哈哈哈哈哈"), or a long paste of very few
    distinct characters: nothing a classifier should score as a report."""
    compact = "".join(text.split())
    distinct = len(set(compact))
    return (len(compact) >= 6 and distinct <= 2) or (len(compact) > 200 and distinct < 12)
