"""The office's key for the 填报表: what makes a form speak only for the unit it was made for.

A form carries, on its hidden sheet, the unit, the plan, the date and the tasks it was made
with. A unit can read and edit that sheet, and recompute any unkeyed hash of public text, so
the import trusts it only when it bears an HMAC made with a key the unit never sees
(gkctl.exchange.form signs, gkctl.exchange.form_read checks).

The key is GKCTL_FORM_KEY where that is set (CI: a repository secret), else the file
.gkctl-form-key in the data folder, which `gkctl form` creates when there is none. The file
is never committed (.gitignore): anyone who can read it can sign forms for any unit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import NamedTuple

from gkctl.core.errors import UsageError, os_reason
from gkctl.store import atomic, paths

ENV = "GKCTL_FORM_KEY"
FILE = ".gkctl-form-key"
MIN_CHARS = 32  # a key of at least 128 bits as hex; the file holds 256
_HEADER = (
    "# gkctl 填报表密钥：gkctl form 用它给填报表签名，gkctl progress import 据此核对。\n"
    "# 只留在区政府办公室：不要提交到 git，不要发给单位。丢失后，已发出的填报表无法导入。\n"
)


class FormKey(NamedTuple):
    secret: bytes
    source: str  # where it came from, for messages: GKCTL_FORM_KEY or the file

    @property
    def id(self) -> str:
        """A short public name of the key, so that a form made with another key is told
        from a form edited after it was made."""
        return hmac.new(self.secret, b"gkctl form key id", hashlib.sha256).hexdigest()[:8]


def find(data_dir: Path, env_value: str | None) -> FormKey | None:
    """The key: the environment's where the variable is set (even empty, which is an
    error: a CI secret that is not configured), else the data folder's file; None where
    there is neither."""
    if env_value is not None:
        return _key(env_value.strip(), ENV)
    path = data_dir / FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        why = os_reason(exc) if isinstance(exc, OSError) else "不是 UTF-8 文本"
        raise UsageError(f"无法读取填报表密钥 {paths.shown(path)}：{why}。") from None
    lines = [line.strip() for line in text.splitlines() if not line.startswith("#")]
    return _key(next((line for line in lines if line), ""), paths.shown(path))


def ensure(data_dir: Path, env_value: str | None) -> tuple[FormKey, bool]:
    """The key, made and saved in the data folder where there is none; True if it was made
    now. Made once: two `gkctl form` at once end with the one key the first wrote."""
    found = find(data_dir, env_value)
    if found is not None:
        return found, False
    path = data_dir / FILE
    made = atomic.create_new(path, (_HEADER + secrets.token_hex(32) + "\n").encode("utf-8"))
    key = find(data_dir, None)
    assert key is not None
    return key, made


def _key(text: str, source: str) -> FormKey:
    if len(text) >= MIN_CHARS:
        return FormKey(text.encode("utf-8"), source)
    what = f"只有 {len(text)} 个字符" if text else "为空"
    if source == ENV:
        hint = "" if text else "（CI 中没有配置这个 secret？）"
        raise UsageError(f"填报表密钥 {source} {what}{hint}，至少要 {MIN_CHARS} 个字符。")
    raise UsageError(
        f"填报表密钥 {source} {what}，至少要 {MIN_CHARS} 个字符；"
        f"可删去 {FILE} 后由 gkctl form 重新生成（已发出的填报表须重新生成）。"
    )
