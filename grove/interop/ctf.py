"""Reading the DfE Common Transfer File (CTF XML) safely: defusedxml refuses entity tricks
(billion laughs, external entities), and every other problem names the line."""

from __future__ import annotations

import xml.etree.ElementTree as StdET  # only for the Element type and ParseError
from dataclasses import dataclass, field

import defusedxml
from defusedxml import ElementTree

from grove.interop.tabular import FileProblem


@dataclass(frozen=True)
class CtfAssessment:
    stage: str
    locale: str
    year: str
    subject: str
    method: str
    component: str
    status: str
    qualifier: str
    result: str


@dataclass
class CtfPupil:
    index: int  # 1 for the first <Pupil>, as the error report counts them
    upn: str
    surname: str
    forename: str
    preferred_surname: str
    preferred_forename: str
    dob: str
    gender: str
    year_group: str
    sen_provision: str  # the latest SEN record's provision, "" when there is none
    sen_primary_need: str
    fsm: bool | None  # None: the file says nothing about FSM
    assessments: list[CtfAssessment] = field(default_factory=list)


@dataclass
class CtfFile:
    source_lea: str
    source_estab: str
    source_name: str
    dest_lea: str
    dest_estab: str
    pupils: list[CtfPupil]

    @property
    def source(self) -> str:
        number = f"{self.source_lea}/{self.source_estab}".strip("/")
        return f"{self.source_name} ({number})" if self.source_name else number


def _text(element: StdET.Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def parse(content: bytes, today_iso: str) -> CtfFile:
    """The file's header and pupils, or FileProblem saying what is wrong and where."""
    try:
        root = ElementTree.fromstring(content)
    except defusedxml.DefusedXmlException as error:
        raise FileProblem(
            "The file declares XML entities or a document type (" + type(error).__name__ + "), "
            "which a CTF never needs and which can be used to attack a server: Grove will not "
            "read it. Export the CTF from your MIS again."
        ) from None
    except StdET.ParseError as error:
        raise FileProblem(f"The file is not well-formed XML ({error}).") from None
    if root.tag != "CTfile":
        raise FileProblem(
            f"This is not a Common Transfer File: its root element is <{root.tag}>, not <CTfile>."
        )
    header = root.find("Header")
    if header is None:
        raise FileProblem("The CTF has no <Header>: it is incomplete.")
    source = header.find("SourceSchool")
    dest = header.find("DestSchool")
    pupils = []
    for index, element in enumerate(root.findall("CTFpupilData/Pupil"), start=1):
        pupils.append(_pupil(index, element, today_iso))
    return CtfFile(
        source_lea=_text(source, "LEA"),
        source_estab=_text(source, "Estab"),
        source_name=_text(source, "SchoolName"),
        dest_lea=_text(dest, "LEA"),
        dest_estab=_text(dest, "Estab"),
        pupils=pupils,
    )


def _pupil(index: int, element: StdET.Element, today_iso: str) -> CtfPupil:
    sen = sorted(
        element.findall("SENhistory/SEN"), key=lambda e: _text(e, "StartDate"), reverse=True
    )
    provision = need = ""
    if sen:
        provision = _text(sen[0], "SENprovision")
        needs = sorted(
            sen[0].findall("SENneeds/SENneed"), key=lambda e: _text(e, "SENtypeRank") or "9"
        )
        need = _text(needs[0], "SENtype") if needs else ""
    fsm_instances = element.findall("FSMhistory/FSMinstance")
    fsm: bool | None = None
    if element.find("FSMhistory") is not None:
        # Eligible today: an instance that has started and has not ended.
        fsm = any(
            _text(i, "FSMstartDate") <= today_iso
            and (not _text(i, "FSMendDate") or _text(i, "FSMendDate") >= today_iso)
            for i in fsm_instances
        )
    assessments = []
    for key_stage in element.findall("StageAssessments/KeyStage"):
        stage = _text(key_stage, "Stage")
        for a in key_stage.findall("StageAssessment"):
            assessments.append(
                CtfAssessment(
                    stage=stage,
                    locale=_text(a, "Locale"),
                    year=_text(a, "Year"),
                    subject=_text(a, "Subject"),
                    method=_text(a, "Method"),
                    component=_text(a, "Component"),
                    status=_text(a, "ResultStatus"),
                    qualifier=_text(a, "ResultQualifier"),
                    result=_text(a, "Result"),
                )
            )
    return CtfPupil(
        index=index,
        upn=_text(element, "UPN"),
        surname=_text(element, "Surname"),
        forename=_text(element, "Forename"),
        preferred_surname=_text(element, "PreferredSurname"),
        preferred_forename=_text(element, "PreferredForename"),
        dob=_text(element, "DOB"),
        gender=_text(element, "Gender"),
        year_group=_text(element, "NCyearActual"),
        sen_provision=provision,
        sen_primary_need=need,
        fsm=fsm,
        assessments=assessments,
    )
