"""Masks personal data and secrets in free text: phone numbers, ID numbers, e-mails, Chinese names, addresses.

Conservative on purpose: ids (UUIDs), ISO timestamps, unit and catalog codes (`hekou-town`, `LS-06`), amounts
and dates are never touched, so a masked log line stays useful. Names are found only in the forms citizens and
operators write them (王女士, 张师傅, 老王, 姓名：张三, 联系人张三); a bare name in prose is not recognised.
"""

from __future__ import annotations

import re
from collections.abc import Callable

HIDDEN = "[REDACTED]"
ADDRESS_HIDDEN = "[地址已隐藏]"

_HAN = "\u4e00-\u9fff"
# The ~100 most common surnames (about 85% of the population), and the compound ones still seen.
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "司徒", "令狐", "公孙")
_SURNAME = f"(?:{'|'.join(COMPOUND_SURNAMES)}|[{COMMON_SURNAMES}])"
# How citizens and operators address someone by surname; official titles (局长, 主任) are left out, since
# "公安局长" would read as 安 + 局长.
_HONORIFIC = "女士|先生|小姐|师傅|阿姨|大爷|大妈|大娘|大姐|大哥|大叔|大伯|大婶|奶奶|爷爷|婆婆|老太|老汉|老师"
# 老王 / 小李: only surnames that do not also start common words (小于, 小孔, 一小段, 小石子, 老方法, 小白菜 ...),
# and only when what follows can end a name (a verb of speech, a particle, punctuation or the end).
_NICKNAME_SURNAMES = "".join(c for c in COMMON_SURNAMES if c not in "于孔段石方白万叶向金龙毛")
_AFTER_NICKNAME = "说讲称问反映打来去找叫家的是在和与跟等也都又就了要想让给对帮头夫妻爸妈"
# Characters that end a given name rather than continue it (张三反映, 李四电话).
_NOT_GIVEN_NAME = "反映说讲称来电话手机号投诉举报表示要求希望的在家住先女师阿老和与跟及等也都是"
_GIVEN_NAME = f"(?:(?![{_NOT_GIVEN_NAME}])[{_HAN}]){{1,2}}"
# After 姓名： anything Han is a name, up to what starts the next field (电话, 手机, 性别, 年龄, 身份证, 住址).
_NOT_LABELLED_NAME = "电手联性男女年身住地"
_NAME_LABEL_COLON = "姓名|名字|联系人|来电人|来电者|反映人|投诉人|举报人|报告人|诉求人|申请人|当事人|户主|业主"
_NAME_LABEL_BARE = "我叫|本人叫|名叫|联系人|来电人|反映人|投诉人|举报人|市民|村民|居民|群众|住户|租户"

# House numbers: 3号楼2单元501室, 88号, 3-2-501, a village's 五组 (Chinese numerals only there: 两栋楼 is no address).
# 号 is a house number only when it does not go on as 号线 (a metro line), 号文 (a document) and so on.
_UNIT = r"(?:号楼|号院|栋|幢|座|单元|室|层|楼|组|社|队|弄|巷|号(?![线文令件台车机码位窗]))"
_HOUSE_PART = rf"(?:\d{{1,5}}(?:-\d{{1,5}}){{0,3}}\s?{_UNIT}|[一二三四五六七八九十]{{1,3}}(?:组|队|社))"
_TAIL = rf"(?:{_HOUSE_PART}+|\d{{1,3}}(?:-\d{{1,4}}){{1,3}}(?![0-9A-Za-z-]))"
_PLACE_SUFFIX = (
    "小区|花园|家园|公寓|大厦|广场|新村|新城|社区|街道|大街|大道|胡同|山庄|公馆|华府|名苑|苑|村|庄|屯|镇|乡|区|县|市|"
    "路|街|巷|里|弄|院|园|湾|期"
)
# Words that end a sentence part rather than belong to a place name (反映河口镇... starts the place at 河).
_NOT_PLACE = "说讲称反映投诉举报表示要求希望的了在是有与到从把被让给对于其该这那我你他她们位等及"
_PLACE_CHAR = rf"(?:(?![{_NOT_PLACE}])[{_HAN}]|[0-9A-Za-z])"
_MAX_PLACE = 20
_ADDRESS_LABEL = "家庭住址|详细地址|住址|地址|家住|门牌号码|门牌号|门牌"
_STOP = r"\s:：，。,;；！!？?、()（）\[\]{}\"'“”<>《》"


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))[-11:]
    return f"{digits[:3]}****{digits[-4:]}"


def _landline(match: re.Match[str]) -> str:
    return f"{match.group('area')}-****{match.group('number')[-4:]}"


def _id_card(match: re.Match[str]) -> str:
    number = match.group(0)
    return f"{number[:3]}{'*' * 11}{number[-4:]}"


def _email(match: re.Match[str]) -> str:
    return f"{match.group('local')[0]}***@{match.group('domain')}"


def _name(match: re.Match[str]) -> str:
    return f"{match.group('before')}{match.group('surname')}**"


def _keep_label(replacement: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return f"{match.group('label')}{replacement}"

    return replace


_HOUSE_NUMBER = re.compile(rf"(?<=[{_HAN}]){_TAIL}")
_ENDS_AS_PLACE = re.compile(rf"(?:{_PLACE_SUFFIX})$")
_PLACE_NAME = re.compile(rf"{_PLACE_CHAR}{{1,{_MAX_PLACE}}}$")


def _hide_places(text: str) -> str:
    """A place (…镇…小区, …路, …村) followed by house numbers, hidden whole."""
    # Found from the house number backwards, within a bounded stretch: one regex for place and number together
    # backtracks exponentially on a run of place suffixes (村村村…, 小区小区…).
    parts: list[str] = []
    kept = 0
    for number in _HOUSE_NUMBER.finditer(text):
        before = text[max(kept, number.start() - _MAX_PLACE) : number.start()]
        place = _PLACE_NAME.search(before) if _ENDS_AS_PLACE.search(before) else None
        if place is None:
            continue
        parts += [text[kept : number.start() - len(before) + place.start()], ADDRESS_HIDDEN]
        kept = number.end()
    return "".join([*parts, text[kept:]])


_Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]] | Callable[[str], str]

# In order: secrets, then numbers (longest first), addresses, names. Each rule sees the previous ones' output,
# so a masked part (`138****5678`, `[地址已隐藏]`) breaks up the text the later rules look at.
_RULES: list[_Rule] = [
    # user:password@ in a URL (nats://user:pass@host).
    (re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+@"), f"{HIDDEN}@"),
    # Secrets in query strings (DingTalk's access_token, its signed URL's sign, ...).
    (
        re.compile(
            r"(?P<label>[?&](?:access_token|token|secret|sign|signature|key|api_key|apikey|password)=)[^&\s#\"']+",
            re.IGNORECASE,
        ),
        _keep_label(HIDDEN),
    ),
    (re.compile(r"(?P<label>\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE), _keep_label(HIDDEN)),
    # Our API keys, `hk_<key id>_<secret>`: the key id is not secret and helps support.
    (re.compile(r"(?P<label>\bhk_[0-9a-f]{6,32}_)[A-Za-z0-9_-]{8,}"), _keep_label(HIDDEN)),
    # `"secret": "..."`, `password=...` inside text (a logged body or repr).
    (
        re.compile(
            r"(?P<label>[\"']?\b(?:[a-z_]*secret|password|passwd|api_key|apikey|access_token)[\"']?\s*[:=]\s*[\"']?)"
            r"(?!\[REDACTED\])[^\"'\s,;&})]+",
            re.IGNORECASE,
        ),
        _keep_label(HIDDEN),
    ),
    (
        re.compile(
            r"(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9._%+-]+)@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
        ),
        _email,
    ),
    # 18-digit resident ID numbers, with a plausible birth date so that other long numbers stay.
    (
        re.compile(
            r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
        ),
        _id_card,
    ),
    # Mainland mobiles: 13812345678, 138-1234-5678, 138 1234 5678, +86 138 1234 5678, (+86)13812345678.
    (
        re.compile(
            r"(?<![0-9A-Za-z+])(?:(?:\+86|0086|86)[\s-]?|\(\+?86\)\s?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![0-9A-Za-z])"
        ),
        _phone,
    ),
    # Landlines: 0571-88886666, 010 12345678, (0571)88886666, 057188886666.
    (
        re.compile(r"(?<![0-9A-Za-z])\(?(?P<area>0[1-9]\d{1,2})\)?[\s-]?(?P<number>\d{7,8})(?![0-9A-Za-z])"),
        _landline,
    ),
    # `'address': '...'`, `address='...'` in a logged repr, JSON body or validation error.
    (
        re.compile(
            rf"(?P<label>[\"']?\b(?:caller_|home_|street_)?(?:address|addr)[\"']?\s*[:=]\s*[\"'])(?!{re.escape(ADDRESS_HIDDEN)})[^\"']+(?=[\"'])",
            re.IGNORECASE,
        ),
        _keep_label(ADDRESS_HIDDEN),
    ),
    (
        re.compile(
            rf"(?<!\[)(?P<label>(?:{_ADDRESS_LABEL})\s?(?:是|为|在)?\s?[:：]?\s?)(?!https?://)(?!{re.escape(ADDRESS_HIDDEN)})"
            rf"[^{_STOP}]{{2,60}}"
        ),
        _keep_label(ADDRESS_HIDDEN),
    ),
    _hide_places,
    # Numbers alone that can only be an address: 3号楼2单元, 5栋, 501室.
    (re.compile(rf"(?<![0-9A-Za-z])\d{{1,5}}\s?(?:号楼|栋|幢|单元){_HOUSE_PART}*"), ADDRESS_HIDDEN),
    (re.compile(r"(?<![0-9A-Za-z])\d{3,4}室"), ADDRESS_HIDDEN),
    (
        re.compile(
            rf"(?P<before>(?:{_NAME_LABEL_COLON})\s?[:：]\s?)(?P<surname>{_SURNAME}|[{_HAN}])"
            rf"(?:(?![{_NOT_LABELLED_NAME}])[{_HAN}]){{1,3}}(?:·[{_HAN}]{{1,8}})?"
        ),
        _name,
    ),
    # `'name': '王秀英'`, `name='王秀英'`: a Chinese name of 2 to 4 characters as a value (a unit's longer name
    # stays, and so does `unit_name`).
    (
        re.compile(
            rf"(?P<before>[\"']?\b(?:caller_|contact_|full_|real_|citizen_)?name[\"']?\s*[:=]\s*[\"']?)(?P<surname>{_SURNAME}|[{_HAN}])"
            rf"[{_HAN}·]{{1,3}}(?=[\"'\s,;)}}]|$)",
            re.IGNORECASE,
        ),
        _name,
    ),
    (re.compile(rf"(?P<before>(?:{_NAME_LABEL_BARE})\s?)(?P<surname>{_SURNAME}){_GIVEN_NAME}"), _name),
    # 王小明先生 (where a name can start: not inside a run of Chinese text), then 王先生 anywhere.
    (re.compile(rf"(?P<before>)(?<![{_HAN}])(?P<surname>{_SURNAME}){_GIVEN_NAME}(?:{_HONORIFIC})"), _name),
    (re.compile(rf"(?P<before>)(?P<surname>{_SURNAME})(?:{_HONORIFIC})"), _name),
    (re.compile(rf"(?P<before>[老小])[{_NICKNAME_SURNAMES}](?=[{_AFTER_NICKNAME}]|[^{_HAN}]|$)"), r"\g<before>*"),
]

# Ids and timestamps are cut out before the rules run, so no rule can take a piece of one.
_PROTECTED = re.compile(
    r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)"
)
# Text with none of these cannot hold anything the rules mask: most log strings are skipped at this cost.
_WORTH_A_LOOK = re.compile(r"[0-9@\u4e00-\u9fff]|bearer|://|secret|password|passwd|api_?key|token", re.IGNORECASE)


def mask_text(text: str) -> str:
    """The text with phone and ID numbers, e-mails, names, addresses and secrets masked."""
    if not _WORTH_A_LOOK.search(text):
        return text
    pieces = _PROTECTED.split(text)
    # split() with a group alternates: text, protected, text, protected, ..., text.
    for index in range(0, len(pieces), 2):
        piece = pieces[index]
        if piece and _WORTH_A_LOOK.search(piece):
            for rule in _RULES:
                piece = rule(piece) if callable(rule) else rule[0].sub(rule[1], piece)
            pieces[index] = piece
    return "".join(pieces)


def mask_phone(value: str) -> str:
    """A phone number shown as `138****5678`; anything too short to be one is hidden whole."""
    digits = re.sub(r"\D", "", value)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else HIDDEN


def mask_name(value: str) -> str:
    """A person's name shown as its surname and `**` (`王**`, `欧阳**`)."""
    value = value.strip()
    if not value:
        return value
    surname = value[:2] if value[:2] in COMPOUND_SURNAMES else value[:1]
    return f"{surname}**"
