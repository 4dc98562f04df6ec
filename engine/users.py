"""People who use councilflow: look-up, creation, sign-in, and what admins change about them
(name, roles, teams, password, active)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from werkzeug.security import check_password_hash, generate_password_hash

from . import routing
from .errors import Conflict, SignInFailed, UserError, UserNotFound
from .persistence.tables import Membership, Team, User
from .types import Role

if TYPE_CHECKING:
    from .context import Context

SYSTEM_ACTOR = "system"
MIN_PASSWORD_LENGTH = 10
MAX_FAILED_SIGN_INS = 5
LOCK_OUT_FOR = timedelta(minutes=15)
_DUMMY_HASH = generate_password_hash("timing-equaliser")


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_user(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None or not user.active:
        raise UserNotFound(f"There is no active user with the email address '{email}'")
    return user


def add_user(session: Session, email: str, name: str, roles: list[Role], now: datetime,
             teams: list[str] | None = None, password: str | None = None) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"'{email}' is not an email address")
    if find_user(session, email) is not None:
        raise UserError(f"A user with the email address '{email}' already exists")
    user = User(email=email, name=name, roles=[Role(r).value for r in roles], created_at=now,
                password_hash=generate_password_hash(password) if password else None)
    session.add(user)
    session.flush()
    for team in teams or []:
        session.add(Membership(user_id=user.id, team_id=routing.ensure_team(session, team, now).id))
    return user


def team_ids(session: Session, user: User) -> set[int]:
    return set(session.scalars(select(Membership.team_id).where(Membership.user_id == user.id)))


def _check(session: Session, email: str, password: str, now: datetime) -> tuple[User | None, str]:
    user = find_user(session, email)
    wrong = "Enter a correct email address and password"
    if user is None or not user.active or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)  # same work either way: no user enumeration
        return None, wrong
    if user.locked_until is not None and user.locked_until > now:
        return None, "This account is locked after too many failed attempts. Try again in 15 minutes"
    if not check_password_hash(user.password_hash, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until, user.failed_sign_ins = now + LOCK_OUT_FOR, 0
        return None, wrong
    user.failed_sign_ins, user.locked_until = 0, None
    return user, ""


def sign_in(ctx: "Context", email: str, password: str) -> int:
    """The id of the user with these credentials. Failures are counted (and committed) before
    SignInFailed is raised; five in a row lock the account for 15 minutes."""
    with ctx.db.transaction() as session:
        user, problem = _check(session, email, password, ctx.clock.now())
        user_id = user.id if user is not None else None
    if user_id is None:
        raise SignInFailed(problem)
    return user_id


def has_role(user: User, *roles: Role) -> bool:
    return Role.ADMIN.value in user.roles or any(r.value in user.roles for r in roles)


# -- what admins do ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffMember:
    """A user as the admin pages show them: never the password hash."""

    id: int
    email: str
    name: str
    roles: list[str]
    teams: list[str]
    active: bool
    has_password: bool
    locked: bool


def check_password(password: str, email: str = "") -> None:
    """A password people may set: long enough, and not the email address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if email and password.strip().lower() == email.strip().lower():
        raise UserError("The password must not be the email address")


def _roles(roles: list[str]) -> list[str]:
    if not roles:
        raise UserError("Select at least one role")
    known = {r.value for r in Role}
    unknown = [r for r in roles if r not in known]
    if unknown:
        raise UserError(f"There is no role called '{unknown[0]}' (roles: {', '.join(sorted(known))})")
    return [r.value for r in Role if r.value in roles]  # one order everywhere


def _existing_teams(session: Session, names: list[str]) -> list[Team]:
    teams = []
    for name in dict.fromkeys(names):
        teams.append(routing.get_team(session, name))  # TeamNotFound names the team
    return teams


def _member(session: Session, user: User, now: datetime) -> StaffMember:
    teams = session.scalars(select(Team.name).join(Membership, Membership.team_id == Team.id)
                            .where(Membership.user_id == user.id).order_by(Team.name))
    return StaffMember(user.id, user.email, user.name, list(user.roles), list(teams), user.active,
                       user.password_hash is not None, user.locked_until is not None and user.locked_until > now)


def _by_id(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"There is no user with id {user_id}")
    return user


def _keep_an_admin(session: Session, user: User, roles: list[str], active: bool) -> None:
    """Nobody may take away the last active admin: the council would lose its admin pages."""
    if Role.ADMIN.value not in user.roles or not user.active or (active and Role.ADMIN.value in roles):
        return
    # Locked: two admins demoting each other at once would otherwise each see the other still an admin.
    others = session.scalars(select(User).where(User.active.is_(True), User.id != user.id).with_for_update())
    if not any(Role.ADMIN.value in other.roles for other in others):
        raise Conflict(f"{user.email} is the only active admin: make someone else an admin first")


def list_staff(ctx: "Context", role: str | None = None, team: str | None = None) -> list[StaffMember]:
    """Everyone (active first, then by email), optionally only those with a role or in a team."""
    with ctx.db.transaction(readonly=True) as session:
        query = select(User).order_by(User.active.desc(), User.email)
        if team:
            query = query.join(Membership, Membership.user_id == User.id).where(
                Membership.team_id == routing.get_team(session, team).id)
        now = ctx.clock.now()
        people = [_member(session, user, now) for user in session.scalars(query)]
    return [p for p in people if role is None or role in p.roles]


def staff_member(ctx: "Context", user_id: int) -> StaffMember:
    with ctx.db.transaction(readonly=True) as session:
        return _member(session, _by_id(session, user_id), ctx.clock.now())


def create_staff(ctx: "Context", email: str, name: str, roles: list[str], teams: list[str],
                 password: str | None) -> StaffMember:
    """A new user in existing teams. Without a password they can sign in only with single sign-on."""
    if not name.strip():
        raise UserError("Enter the person's name")
    if password:
        check_password(password, email)
    with ctx.db.transaction() as session:
        checked = _roles(roles)
        team_names = [t.name for t in _existing_teams(session, teams)]
        user = add_user(session, email, name.strip(), [Role(r) for r in checked], ctx.clock.now(), team_names,
                        password or None)
        return _member(session, user, ctx.clock.now())


def update_staff(ctx: "Context", user_id: int, name: str, roles: list[str], teams: list[str]) -> StaffMember:
    """Set a user's name, roles and teams (the whole set of each)."""
    if not name.strip():
        raise UserError("Enter the person's name")
    with ctx.db.transaction() as session:
        user = _by_id(session, user_id)
        checked = _roles(roles)
        wanted = _existing_teams(session, teams)
        _keep_an_admin(session, user, checked, user.active)
        user.name, user.roles = name.strip(), checked
        session.execute(delete(Membership).where(Membership.user_id == user.id))
        session.add_all(Membership(user_id=user.id, team_id=team.id) for team in wanted)
        session.flush()
        return _member(session, user, ctx.clock.now())


def set_active(ctx: "Context", user_id: int, active: bool) -> StaffMember:
    """Deactivate (they can no longer sign in or use their API tokens) or reactivate a user."""
    with ctx.db.transaction() as session:
        user = _by_id(session, user_id)
        _keep_an_admin(session, user, list(user.roles), active)
        user.active = active
        if active:
            user.failed_sign_ins, user.locked_until = 0, None
        return _member(session, user, ctx.clock.now())


def set_password(ctx: "Context", user_id: int, password: str) -> None:
    """A new password chosen by an admin; it also lifts a lock-out."""
    with ctx.db.transaction() as session:
        user = _by_id(session, user_id)
        check_password(password, user.email)
        user.password_hash = generate_password_hash(password)
        user.failed_sign_ins, user.locked_until = 0, None


def sign_in_by_claim(ctx: "Context", email: str | None) -> int:
    """The id of the ACTIVE user a single sign-on provider vouched for. Accounts are never created
    here: someone the council has not added is refused."""
    with ctx.db.transaction(readonly=True) as session:
        user = find_user(session, email) if email else None
        if user is None or not user.active:
            raise SignInFailed(f"There is no active councilflow account for {email or 'this sign-in'}")
        return user.id
