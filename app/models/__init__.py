"""Every model, imported here so that mapping (and Alembic autogenerate) sees all of them."""

from app.models.audit import AuditAction, AuditEntry, AuditHead, AuditSpec  # noqa: F401
from app.models.calendar import Holiday, HolidayCategory, HolidaySource, WorkSchedule  # noqa: F401
from app.models.complaints import (  # noqa: F401
    Complaint,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintEventAction,
    ComplaintKind,
    ComplaintStatus,
)
from app.models.cycles import (  # noqa: F401
    Cycle,
    CycleStatus,
    CycleUnit,
    Reminder,
    ReminderKind,
    SlaStatus,
    WorkEvent,
    WorkEventAction,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)
from app.models.discussions import (  # noqa: F401
    Attendance,
    DecisionKind,
    DiscussionDecision,
    DiscussionGroup,
    DiscussionGroupUnit,
    DiscussionSession,
)
from app.models.documents import (  # noqa: F401
    Document,
    DocumentStatus,
    DocumentTemplate,
    DocumentVersion,
    DocumentVersionKind,
    NumberSequence,
)
from app.models.evaluation import (  # noqa: F401
    CompetenceMet,
    Evaluation,
    EvaluationPeriod,
    EvaluationStatus,
    PeriodStatus,
    Rating,
)
from app.models.iku import CalculationType, Indicator, IndicatorStatus, IndicatorTarget  # noqa: F401
from app.models.mail import MailAttachment, MailStatus, OutboundMail  # noqa: F401
from app.models.org import (  # noqa: F401
    Competence,
    CompetenceLevel,
    CompetenceRecord,
    IkuUser,
    OrgUnit,
    OrgUnitAssignment,
    OrgUnitKind,
    Pelaksana,
    Position,
    Section,
    SectionKind,
)
from app.models.proposals import ChangeProposal, ProposalStatus  # noqa: F401
from app.models.standards import DurationUnit, ServiceStandard, StepDefinition  # noqa: F401
from app.models.submissions import FinalSubmission  # noqa: F401
from app.models.supervision import SupervisionKind, SupervisionRecord  # noqa: F401
from app.models.survey import SurveyResponse  # noqa: F401
