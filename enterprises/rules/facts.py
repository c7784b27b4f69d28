"""The graded facts of an enterprise that the tier criteria read (R&D institution, awards, IP, product field).

Pure Python (no Django): the profile's choices (enterprises.models.EligibilityProfile) and the
criteria (tiers.rules.eligibility) share these values.
"""

from __future__ import annotations

from enum import StrEnum


class RdInstitution(StrEnum):
    """Level of the enterprise's own (or jointly built) R&D institution."""

    NONE = "none"
    BELOW_MUNICIPAL = "below_municipal"
    MUNICIPAL = "municipal"
    PROVINCIAL = "provincial"
    NATIONAL = "national"


class AwardLevel(StrEnum):
    """Highest science and technology award (科技奖励) of the enterprise."""

    NONE = "none"
    PROVINCIAL = "provincial"
    NATIONAL = "national"


class MakerChina(StrEnum):
    """Best placing in the 创客中国 SME innovation contest."""

    NONE = "none"
    TOP500 = "top500"
    TOP50 = "top50"


class IpGrade(StrEnum):
    """Best intellectual property related to the main product (与主导产品相关的有效知识产权)."""

    NONE = "none"
    CLASS_II = "class_ii"
    CLASS_I = "class_i"
    OWN_CLASS_I = "own_class_i"  # 自主研发的Ⅰ类知识产权
    HIGH_VALUE_CLASS_I = "high_value_class_i"  # Ⅰ类高价值知识产权


class ProductDomain(StrEnum):
    """Field of the main product, as the SRDI score table grades it (附件2 指标4)."""

    OTHER = "other"
    SIX_BASICS = "six_basics"  # 工业"六基"、中华老字号或服务关键产业链重点龙头企业
    KEY_CHAIN = "key_chain"  # 产业链供应链关键环节"补短板""锻长板""填空白"取得实际成效
