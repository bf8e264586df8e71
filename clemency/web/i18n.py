"""UI strings in a small catalogue per language. English is the source; the Azerbaijani and Russian strings
are machine translations that no fluent speaker has checked, and every page in those languages says so."""

from __future__ import annotations

LANGUAGES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}
UNCHECKED = {"az", "ru"}

EN = {
    "app": "Clemency", "tagline": "Amnesty acts as data, applied to registries, explained person by person.",
    "nav.check": "Check a person", "nav.runs": "Run an act", "nav.acts": "The act", "nav.timeline": "Implementation",
    "nav.monitor": "Monitor", "nav.api": "API", "nav.signin": "Sign in", "nav.signout": "Sign out",
    "mt.notice": "Machine translation, not checked by a fluent speaker.",
    "check.title": "Check a person", "check.intro": "Fill in what the registry says about the person. "
    "Leave a field empty when it is not known.", "check.submit": "Decide",
    "check.act": "Act", "check.on": "Decision date (empty: the entry into force)", "check.readings": "Readings",
    "check.flags": "Status flags", "field.person_id": "Person id", "field.sex": "Sex",
    "field.birth_date": "Birth date", "field.status": "Status", "field.articles": "Articles (e.g. 206.3.2;193-1.3.1)",
    "field.crime_category": "Crime category (empty: from the articles)", "field.negligent": "By negligence",
    "field.offense_date": "Offence date", "field.punishment": "Punishment", "field.term_months": "Term (months)",
    "field.sentence_start": "Sentence start", "field.sentence_end": "Sentence end (day of release)",
    "field.institution": "Institution", "field.disability_percent": "Disability (%)",
    "field.recidivism": "Recidivism",
    "decision.title": "Decision", "decision.relief": "Relief", "decision.clause": "Clause",
    "decision.basis": "Basis", "decision.explanation": "In plain words", "decision.reasons": "Clause by clause",
    "decision.alternatives": "Under other readings of the act",
    "decision.no_alternatives": "No single alternative reading changes the relief or the clause.",
    "decision.status": "Status", "decision.sources": "Sources", "decision.result": "Result",
    "decision.conditions": "Conditions", "decision.values": "Values used",
    "runs.title": "Run an act on a registry", "runs.upload": "Upload a registry (CSV, XLSX or Parquet)",
    "runs.start": "Start", "runs.signin_needed": "Sign in as an operator to upload a registry.",
    "runs.none": "No runs yet.", "runs.status": "Status", "runs.decisions": "Decisions",
    "runs.filter": "Filter", "runs.download": "Download", "runs.report": "Published report",
    "runs.previous": "Previous", "runs.next": "Next", "runs.person": "Person",
    "acts.title": "Acts", "act.clauses": "Clauses", "act.readings": "Readings", "act.parameters": "Parameters",
    "act.definitions": "Definitions", "act.sources": "Sources", "act.default": "default",
    "timeline.title": "Implementation", "timeline.unavailable": "The implementation timeline is not available yet.",
    "monitor.title": "Monitor", "monitor.lists": "Lists and their versions", "monitor.review": "Matches to review",
    "monitor.keys": "Keys: j/k move, s same, d different, u unsure.", "monitor.why": "Why each person is still in",
    "monitor.past": "Past amnesties and pardons", "monitor.none": "Nothing here yet.",
    "monitor.why_unavailable": "Not available yet.",
    "login.title": "Sign in", "login.username": "User name", "login.password": "Password", "login.submit": "Sign in",
    "login.failed": "Wrong user name or password, or the account is disabled.",
    "common.synthetic": "Synthetic data", "common.asof": "As of", "common.readings": "readings",
}

AZ = {
    "tagline": "Amnistiya aktları məlumat kimi: reyestrlərə tətbiq edilir, hər şəxs üçün izah olunur.",
    "nav.check": "Şəxsi yoxla", "nav.runs": "Aktı reyestrə tətbiq et", "nav.acts": "Akt", "nav.timeline": "İcra",
    "nav.monitor": "Monitorinq", "nav.signin": "Daxil ol", "nav.signout": "Çıxış",
    "mt.notice": "Maşın tərcüməsi, səlis danışan tərəfindən yoxlanılmayıb.",
    "check.title": "Şəxsi yoxla", "check.intro": "Reyestrin şəxs haqqında dediklərini doldurun. "
    "Məlum deyilsə, sahəni boş qoyun.", "check.submit": "Qərar ver", "check.act": "Akt",
    "check.on": "Qərar tarixi (boş: qüvvəyə minmə günü)", "check.readings": "Şərhlər", "check.flags": "Status əlamətləri",
    "field.sex": "Cins", "field.birth_date": "Doğum tarixi", "field.status": "Status", "field.articles": "Maddələr",
    "field.punishment": "Cəza", "field.term_months": "Müddət (ay)", "field.sentence_start": "Cəzanın başlanğıcı",
    "field.sentence_end": "Cəzanın sonu (azad olma günü)", "field.offense_date": "Cinayət tarixi",
    "decision.title": "Qərar", "decision.relief": "Güzəşt", "decision.clause": "Bənd", "decision.basis": "Əsas",
    "decision.explanation": "Sadə sözlərlə", "decision.reasons": "Bənd-bənd",
    "decision.alternatives": "Aktın digər şərhləri altında", "decision.status": "Status",
    "decision.sources": "Mənbələr", "decision.result": "Nəticə",
    "runs.title": "Aktı reyestrə tətbiq et", "runs.start": "Başla", "runs.download": "Yüklə",
    "acts.title": "Aktlar", "act.clauses": "Bəndlər", "act.readings": "Şərhlər", "act.sources": "Mənbələr",
    "timeline.title": "İcra", "timeline.unavailable": "İcra qrafiki hələ mövcud deyil.",
    "monitor.title": "Monitorinq", "monitor.review": "Yoxlanılacaq uyğunluqlar",
    "monitor.past": "Keçmiş amnistiyalar və əfvlər",
    "login.title": "Daxil ol", "login.username": "İstifadəçi adı", "login.password": "Parol", "login.submit": "Daxil ol",
}

RU = {
    "tagline": "Акты амнистии как данные: применяются к реестрам, объясняются по каждому человеку.",
    "nav.check": "Проверить человека", "nav.runs": "Применить акт к реестру", "nav.acts": "Акт",
    "nav.timeline": "Исполнение", "nav.monitor": "Мониторинг", "nav.signin": "Войти", "nav.signout": "Выйти",
    "mt.notice": "Машинный перевод, не проверен носителем языка.",
    "check.title": "Проверить человека", "check.intro": "Заполните то, что реестр говорит о человеке. "
    "Оставьте поле пустым, если это неизвестно.", "check.submit": "Решить", "check.act": "Акт",
    "check.on": "Дата решения (пусто: вступление в силу)", "check.readings": "Толкования",
    "check.flags": "Признаки статуса", "field.sex": "Пол", "field.birth_date": "Дата рождения",
    "field.status": "Статус", "field.articles": "Статьи", "field.punishment": "Наказание",
    "field.term_months": "Срок (месяцев)", "field.sentence_start": "Начало срока",
    "field.sentence_end": "Конец срока (день освобождения)", "field.offense_date": "Дата преступления",
    "decision.title": "Решение", "decision.relief": "Льгота", "decision.clause": "Пункт", "decision.basis": "Основание",
    "decision.explanation": "Простыми словами", "decision.reasons": "По пунктам",
    "decision.alternatives": "При других толкованиях акта", "decision.status": "Статус",
    "decision.sources": "Источники", "decision.result": "Результат",
    "runs.title": "Применить акт к реестру", "runs.start": "Начать", "runs.download": "Скачать",
    "acts.title": "Акты", "act.clauses": "Пункты", "act.readings": "Толкования", "act.sources": "Источники",
    "timeline.title": "Исполнение", "timeline.unavailable": "График исполнения пока недоступен.",
    "monitor.title": "Мониторинг", "monitor.review": "Совпадения для проверки",
    "monitor.past": "Прошлые амнистии и помилования",
    "login.title": "Вход", "login.username": "Имя пользователя", "login.password": "Пароль", "login.submit": "Войти",
}

CATALOGUES = {"en": EN, "az": AZ, "ru": RU}


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    for cand in (query, cookie):
        if cand in LANGUAGES:
            return cand
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


def translator(lang: str):
    """`t(key)`: the string in `lang`, falling back to English (then to the key itself)."""
    cat = CATALOGUES.get(lang, EN)

    def t(key: str) -> str:
        return cat.get(key) or EN.get(key) or key
    return t
