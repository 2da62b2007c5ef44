"""Names vulture (dead-code finder) cannot see used; scripts/test runs
`vulture bot dispatch nlu desk shaosheng standin scripts/vulture_whitelist.py`.

Add a name here only with its reason; something truly unused is deleted instead.
"""
# ruff: noqa
# mypy: ignore-errors

_ = object()

# Overrides the chat frameworks call (aiogram's webhook handler, PTB's Application).
_.verify_secret
_._handle_request_background
_.do_process_update
# HTMLParser callbacks (standin/textfmt.py).
_.handle_starttag
_.handle_endtag
_.handle_data
# openpyxl cell and sheet attributes set for the spreadsheet reader.
_.freeze_panes
_.alignment
_.number_format
# SQLAlchemy: declarative metadata, a TypeDecorator's hooks, columns written by use cases and
# read by queries, templates, exports or migrations.
metadata
impl
cache_ok
_.process_bind_param
_.process_result_value
username
merged_into_id
_.merged_into_id
understanding_reason
_.understanding_reason
verified_at
_.verified_at
flagged
_.flagged
board_approved_by_id
_.board_approved_by_id
used_by_id
last_error
# pydantic: model configuration, validators and the settings sources hook.
model_config
_._check
_._opens_before_closing
_._all_urgencies
_._production_needs_secrets
_.settings_customise_sources
settings_cls
dotenv_settings
file_secret_settings
# click commands, registered by their decorators.
train_command
ensure_command
engine_command
parse_command
eval_command
cv_command
export_command
db_upgrade
org_load
org_list
export_corrections
run_command
worker_command
doctor_command
report_command
standin_command
# Enum members and dataclass fields read by name (templates, exports, getattr, catalogues).
ESTATE
BUILDING
SANITATION
MUNICIPAL
UTILITIES
PROPERTY
NOISE
DISPUTE
SECURITY
FIRE_SAFETY
TRAFFIC
CONSTRUCTION
GREENERY
SOCIAL_SERVICES
DUPLICATE
OUTSIDE
NOT_ACTIONABLE
person_name
ticket_number
critical_open
awaiting_claim
rater_unit
rated_unit
rated_at
within_5_workdays
escalated
whistled
consults_answered
help_completed
_.response_rate
_.resolution_rate
_.claim_on_time_rate
_.on_time_resolution_rate
_.satisfaction_rate
_.community_rating_rate
_.mediation_success_rate
_.volunteer_hours
reporter_name
reporter_phone
n_classes
_.csrf  # desk templates
_.sorted_by  # desk templates
_.category_text  # desk/templates/_rows.html (desk.views.tickets.Line)
_.urgency_text
close_understanding  # desk/views/ticket_actions.py reaches it through a table of actions
# SQLAlchemy: a custom SQL function's cache flag and its per-dialect compilers (@compiles).
inherit_cache
_standard
_sqlite
# Set through dataclasses.replace (bot/conversation/voice.py); nothing reads it yet (residents').
voiced
# Used by the tests and benchmarks, part of the public surface of their modules.
help_reach
local_zone
LocalInboxQueue
TERMINAL
_.parse_batch
EMERGENCY_KINDS
eval_overlaps
label_conflicts
situation_breaks
eval_dir
eval_examples
_.table_text
# Read by pydantic when it builds an aiogram type on first use (bot/channels/aiogram_models.py).
_.__pydantic_parent_namespace__
