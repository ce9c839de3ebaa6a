//! `forge-backend verify`: rebuilds a published sdist (and the wheel made from it) and
//! says whether the bytes are identical, and if not, where they first differ.
//!
//! The sdist is unpacked through the checked readers (no path escapes, no links out, no
//! special files) into a private temporary folder, which is the only thing written.
//! Build settings that are not in the sources are recovered from the artifacts:
//! - the profile from the wheel's `Generator:` line (or `--profile`; for an sdist alone,
//!   every flit profile is tried, newest first);
//! - the wheel's timestamps from its entries' dates: when WHEEL is not dated 2016-01-01,
//!   `SOURCE_DATE_EPOCH` is that date read as UTC; otherwise every entry keeps its
//!   published date (flit used file mtimes in the builder's local time zone);
//! - the sdist's `SOURCE_DATE_EPOCH` from its members' integer mtimes (or the gzip
//!   header), else the members' PAX float mtimes are put back on the unpacked files;
//! - the gzip level from the compressed body, and CPython's tar header flavour from the
//!   device fields and ustar mtimes.
//!
//! No Python runs: where flit would import the module to find its version or docstring,
//! those come from the published METADATA/PKG-INFO.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::archive::read::gzip::{deflates_in_pieces_to, matching_level, read_gzip};
use crate::archive::read::tar::{TarArchive, TarKind, TarLimits, TarMember};
use crate::archive::read::zip::{ZipArchive, ZipLimits};
use crate::archive::tar::{DeviceFields, TarFlavor, UstarMtimeForFloat};
use crate::build::{BuildOptions, Runtime};
use crate::profile::Profile;
use crate::project::{self, ImportedFacts};
use crate::timestamp::CivilTime;

/// Largest decompressed sdist or wheel member we accept (4 GiB in total).
const LIMIT: u64 = 4 << 30;

/// What `verify` found.
#[derive(Debug)]
pub enum Outcome {
    /// Every artifact rebuilt to identical bytes.
    Identical(Vec<Report>),
    /// At least one artifact differs; the reports say where.
    Different(Vec<Report>),
}

/// One artifact's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// "sdist" or "wheel".
    pub artifact: &'static str,
    /// The published file's name.
    pub file: String,
    /// The profile used for the rebuild.
    pub profile: String,
    /// How the build settings were recovered, in words.
    pub settings: String,
    /// The first difference, if any.
    pub difference: Option<Difference>,
}

/// The first place where the published and the rebuilt artifact differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The archive member, when the difference is inside one.
    pub member: Option<String>,
    /// What differs: "content", "mtime field", "member list", ...
    pub field: String,
    /// The published value, in words.
    pub published: String,
    /// The rebuilt value, in words.
    pub rebuilt: String,
}

/// An error that stops verification (exit status 2).
pub type Error = String;

/// Verifies `sdist`, and `wheel` when given, as built from that sdist.
pub fn verify(sdist: &Path, wheel: Option<&Path>, profile: Option<&str>) -> Result<Outcome, Error> {
    let sdist_bytes =
        fs::read(sdist).map_err(|e| format!("cannot read {}: {e}", sdist.display()))?;
    let gz = read_gzip(&sdist_bytes, LIMIT)
        .map_err(|e| format!("{} is not a valid gzip file: {e:?}", sdist.display()))?;
    let tar = TarArchive::parse(&gz.data, &TarLimits::default())
        .map_err(|e| format!("{} is not a valid tar archive: {e:?}", sdist.display()))?;
    let issues = tar.check_safe();
    if let Some(issue) = issues.first() {
        return Err(format!("refusing to unpack {}: {issue}", sdist.display()));
    }
    let top = tar
        .single_top_level()
        .map_err(|e| format!("{} has no single top-level folder: {e:?}", sdist.display()))?
        .to_string();
    let temp = TempDir::new()?;
    let root = temp.path.join("src");
    let sde = unpack(&tar, &top, &root)?;
    let prefix = format!("{top}/");
    let pax_mtimes: BTreeMap<String, (i64, u32)> = tar
        .members
        .iter()
        .filter_map(|m| {
            let rel = m.path.strip_prefix(&prefix)?;
            Some((rel.to_string(), timespec(&m.pax_mtime.as_ref()?.text)?))
        })
        .collect();
    let pkg_info = tar
        .members
        .iter()
        .find(|m| m.path == format!("{top}/PKG-INFO"))
        .map(|m| String::from_utf8_lossy(m.data).into_owned());

    let wheel_bytes = match wheel {
        Some(w) => Some(fs::read(w).map_err(|e| format!("cannot read {}: {e}", w.display()))?),
        None => None,
    };
    let wheel_zip = match &wheel_bytes {
        Some(b) => Some(
            ZipArchive::parse(b, &ZipLimits::default())
                .map_err(|e| format!("the wheel is not a valid zip file: {e:?}"))?,
        ),
        None => None,
    };
    let generator = match &wheel_zip {
        Some(z) => Some(wheel_generator(z)?),
        None => None,
    };

    // Profiles to try: the one asked for, the wheel's generator, or (an sdist alone)
    // every flit release, newest first, then native.
    let candidates: Vec<Profile> = match (profile, &generator) {
        (Some(name), _) => vec![Profile::by_name(name)?],
        (None, Some(g)) => vec![profile_for_generator(g)?],
        (None, None) => {
            let mut all: Vec<Profile> = crate::profile::names()
                .iter()
                .filter(|n| n.starts_with("flit-"))
                .rev()
                .filter_map(|n| Profile::by_name(n).ok())
                .collect();
            all.push(Profile::native());
            all
        }
    };

    // The sdist's CPython knobs.
    let body = &sdist_bytes[gz.body.clone()];
    let mut pieces = None;
    let mut gzip_level = matching_level(body, &gz.data);
    if gzip_level.is_none() {
        // Not one zlib stream: perhaps the native profile's parallel pieces.
        let native = Profile::native();
        if let Some(piece) = native.gzip_pieces {
            if deflates_in_pieces_to(native.gzip_level, piece, &gz.data, body) {
                gzip_level = Some(native.gzip_level);
                pieces = Some(piece);
            }
        }
    }
    // Only forge's native profile writes pieces: no flit release needs trying.
    let candidates = match (pieces, profile, &generator) {
        (Some(_), None, None) => vec![Profile::native()],
        _ => candidates,
    };
    let flavor = tar_flavor(&tar);
    let runtime = Runtime {
        tar_flavor: flavor,
        gzip_level,
    };
    let sdist_name = file_name(sdist);
    let published = PublishedSdist {
        bytes: &sdist_bytes,
        gzip_mtime: gz.header.mtime,
        times: sde,
        pkg_info: pkg_info.as_deref(),
        pax_mtimes: &pax_mtimes,
    };
    let mut reports = Vec::new();
    let mut sdist_report = None;
    for p in &candidates {
        let report = rebuild_sdist(&root, &temp.path, p, runtime, &published)?;
        let identical = report.difference.is_none();
        if sdist_report.is_none() || identical {
            sdist_report = Some(Report {
                file: sdist_name.clone(),
                ..report
            });
        }
        if identical {
            break;
        }
    }
    let Some(mut sdist_report) = sdist_report else {
        return Err("no profile to try".into());
    };
    if candidates.len() > 1 && sdist_report.difference.is_none() {
        // Several releases often write the same sdist bytes; without a wheel's
        // Generator line the newest one that matches is named.
        sdist_report
            .profile
            .push_str(" (newest profile that reproduces it)");
    }
    sdist_report.settings = format!(
        "{}, gzip level {}{}, {}",
        sdist_report.settings,
        gzip_level.map_or("unknown".to_string(), |l| l.to_string()),
        pieces.map_or(String::new(), |p| format!(" in {} KiB pieces", p / 1024)),
        flavor_words(flavor)
    );
    reports.push(sdist_report);

    if let (Some(zip), Some(bytes), Some(w)) = (&wheel_zip, &wheel_bytes, wheel) {
        let profile = candidates.first().cloned().unwrap_or_else(Profile::native);
        let mut report = rebuild_wheel(&root, &temp.path, &profile, zip, bytes)?;
        report.file = file_name(w);
        reports.push(report);
    }
    Ok(if reports.iter().all(|r| r.difference.is_none()) {
        Outcome::Identical(reports)
    } else {
        Outcome::Different(reports)
    })
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `Generator:` value of the wheel's WHEEL file.
fn wheel_generator(zip: &ZipArchive<'_>) -> Result<String, Error> {
    let index = zip
        .members
        .iter()
        .position(|m| m.name.ends_with(".dist-info/WHEEL") && m.name.matches('/').count() == 1)
        .ok_or("the wheel has no .dist-info/WHEEL")?;
    let text = zip
        .read(index, 1 << 20)
        .map_err(|e| format!("cannot read the wheel's WHEEL: {e:?}"))?;
    let text = String::from_utf8_lossy(&text);
    text.lines()
        .find_map(|l| l.strip_prefix("Generator:"))
        .map(|g| g.trim().to_string())
        .ok_or_else(|| "the wheel's WHEEL has no Generator line; pass --profile".into())
}

/// `flit X.Y.Z` → `flit-X.Y.Z`; `forge_backend V` → native.
fn profile_for_generator(generator: &str) -> Result<Profile, Error> {
    if let Some(v) = generator.strip_prefix("flit ") {
        return Profile::by_name(&format!("flit-{v}")).map_err(|_| {
            format!(
                "the wheel was made by flit {v}, which forge has no profile for; known: {}",
                crate::profile::names().join(", ")
            )
        });
    }
    if generator.starts_with("forge_backend ") {
        return Ok(Profile::native());
    }
    Err(format!(
        "the wheel was made by {generator:?}, not flit or forge; pass --profile to try anyway"
    ))
}

/// How the published sdist's members were dated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SdistTimes {
    /// Integer mtimes: the build had this `SOURCE_DATE_EPOCH`.
    Epoch(i64),
    /// PAX float mtimes, now on the unpacked files: `SOURCE_DATE_EPOCH` was unset.
    FileMtimes,
}

/// Unpacks the members under `top/` into `root` (PKG-INFO included, as a real unpack
/// would), with their modes and mtimes.
fn unpack(tar: &TarArchive<'_>, top: &str, root: &Path) -> Result<SdistTimes, Error> {
    let io = |p: &Path, e: std::io::Error| format!("cannot write {}: {e}", p.display());
    fs::create_dir_all(root).map_err(|e| io(root, e))?;
    let prefix = format!("{top}/");
    let mut epoch = None;
    let mut floats = false;
    for m in &tar.members {
        let Some(rel) = m.path.strip_prefix(&prefix) else {
            continue;
        };
        // Safety was checked on the whole archive; this only builds the path.
        let dest = rel.split('/').fold(root.to_path_buf(), |p, c| p.join(c));
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        match m.kind {
            TarKind::Directory => fs::create_dir_all(&dest).map_err(|e| io(&dest, e))?,
            TarKind::Regular => {
                fs::write(&dest, m.data).map_err(|e| io(&dest, e))?;
                set_mode(&dest, m.mode).map_err(|e| io(&dest, e))?;
                let file = fs::File::options()
                    .write(true)
                    .open(&dest)
                    .map_err(|e| io(&dest, e))?;
                let when = match &m.pax_mtime {
                    Some(t) => system_time(&t.text),
                    None => system_time(&m.ustar_mtime.to_string()),
                };
                if let Some(when) = when {
                    file.set_modified(when).map_err(|e| io(&dest, e))?;
                }
            }
            TarKind::Symlink => symlink(&m.link_target, &dest).map_err(|e| io(&dest, e))?,
            TarKind::Hardlink | TarKind::Other(_) => {
                return Err(format!("{} is a hard link or special file", m.path));
            }
        }
        if rel != "PKG-INFO" {
            if m.pax_mtime.is_some() {
                floats = true;
            } else if epoch.is_none() {
                epoch = Some(m.ustar_mtime);
            }
        }
    }
    Ok(match (floats, epoch) {
        (false, Some(e)) => SdistTimes::Epoch(e),
        _ => SdistTimes::FileMtimes,
    })
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o777))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_: &str, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("symlinks are not supported here"))
}

/// A decimal mtime as (seconds, nanoseconds), for the tar writer.
fn timespec(text: &str) -> Option<(i64, u32)> {
    let d = system_time(text)?
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()?;
    Some((i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()))
}

/// A decimal mtime (`1600000000.25`, `1700000000`) as a SystemTime, to the nanosecond.
fn system_time(text: &str) -> Option<SystemTime> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let secs: u64 = int.parse().ok()?;
    let mut digits: Vec<u8> = frac
        .bytes()
        .take(10)
        .map(|b| b.wrapping_sub(b'0'))
        .collect();
    if digits.iter().any(|d| *d > 9) {
        return None;
    }
    digits.resize(10, 0);
    let mut nanos: u64 = digits[..9].iter().fold(0, |n, d| n * 10 + u64::from(*d));
    if digits[9] >= 5 {
        nanos += 1;
    }
    let total = Duration::from_secs(secs) + Duration::from_nanos(nanos);
    SystemTime::UNIX_EPOCH.checked_add(total)
}

/// CPython's tarfile flavour, read from the first regular member's header.
fn tar_flavor(tar: &TarArchive<'_>) -> TarFlavor {
    let Some(m) = tar.members.iter().find(|m| m.kind == TarKind::Regular) else {
        return TarFlavor::CURRENT;
    };
    let device_fields = if m.devmajor_field().iter().all(|b| *b == 0) {
        DeviceFields::Nul
    } else {
        DeviceFields::OctalZero
    };
    let float = tar.members.iter().find(|m| m.pax_mtime.is_some());
    let ustar_mtime_for_float = match float {
        Some(m) if m.ustar_mtime == 0 => UstarMtimeForFloat::Zero,
        _ => UstarMtimeForFloat::RoundedHalfEven,
    };
    TarFlavor {
        device_fields,
        ustar_mtime_for_float,
    }
}

fn flavor_words(f: TarFlavor) -> &'static str {
    if f == TarFlavor::CURRENT {
        "tar headers of CPython >= 3.9.11/3.10.3"
    } else if f == TarFlavor::CPYTHON_3_9_EARLY {
        "tar headers of CPython 3.9.0-3.9.10/3.10.0-3.10.2"
    } else {
        "tar headers of CPython <= 3.8"
    }
}

/// Version and summary from published metadata, for flit's import fallback.
fn imported_from_metadata(text: &str) -> ImportedFacts {
    let mut facts = ImportedFacts::default();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Version: ") {
            facts.version = Some(Ok(v.to_string()));
        } else if let Some(s) = line.strip_prefix("Summary: ") {
            facts.docstring = Some(s.to_string());
        }
    }
    facts
}

/// Loads the unpacked project; where flit would import the module, the values come from
/// the published metadata instead (no project code runs).
fn load_project(
    root: &Path,
    profile: &Profile,
    metadata: Option<&str>,
) -> Result<project::Project, Error> {
    let render = |d: crate::diagnostic::Diagnostics| {
        format!("the unpacked sdist does not build:\n{}", d.render())
    };
    match project::load(root, profile) {
        Ok((p, _)) => Ok(p),
        Err(d) => {
            let needs_import = d
                .items
                .iter()
                .any(|i| i.location.key.as_deref() == Some(project::NEEDS_IMPORT_KEY));
            match (needs_import, metadata) {
                (true, Some(md)) => {
                    let facts = imported_from_metadata(md);
                    project::load_with(root, profile, project::Lint::Build, Some(&facts))
                        .map(|(p, _)| p)
                        .map_err(render)
                }
                _ => Err(render(d)),
            }
        }
    }
}

/// What the published sdist says about its build.
struct PublishedSdist<'a> {
    bytes: &'a [u8],
    gzip_mtime: u32,
    times: SdistTimes,
    pkg_info: Option<&'a str>,
    /// PAX float mtimes by path below the top folder.
    pax_mtimes: &'a BTreeMap<String, (i64, u32)>,
}

fn rebuild_sdist(
    root: &Path,
    temp: &Path,
    profile: &Profile,
    runtime: Runtime,
    published: &PublishedSdist<'_>,
) -> Result<Report, Error> {
    let (epoch_text, settings) = match published.times {
        SdistTimes::Epoch(e) => (
            Some(e.to_string()),
            format!("SOURCE_DATE_EPOCH={e} (from the members' mtimes)"),
        ),
        SdistTimes::FileMtimes => (
            None,
            "SOURCE_DATE_EPOCH unset (members carry PAX float mtimes)".to_string(),
        ),
    };
    let mut options =
        BuildOptions::with_epoch(profile.clone(), epoch_text.as_deref()).map_err(|d| d.render())?;
    options.runtime = runtime;
    if published.times == SdistTimes::FileMtimes {
        options.tar_mtime_overrides = Some(published.pax_mtimes.clone());
        if !profile.gzip_mtime_fixed {
            // flit ≤ 3.8 wrote the build time into the gzip header.
            options.gzip_mtime_override = Some(published.gzip_mtime);
        }
    }
    let report = |difference| Report {
        artifact: "sdist",
        file: String::new(),
        profile: profile.name.clone(),
        settings: settings.clone(),
        difference,
    };
    let project = match load_project(root, profile, published.pkg_info) {
        Ok(p) => p,
        Err(e) => {
            return Ok(report(Some(Difference {
                member: None,
                field: "build".into(),
                published: "an sdist".into(),
                rebuilt: e,
            })))
        }
    };
    let out = temp.join(format!("sdist-{}", profile.name));
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let rebuilt = match crate::sdist::build(&project, &options, &out) {
        Ok(name) => fs::read(out.join(name)).map_err(|e| e.to_string())?,
        Err(d) => {
            return Ok(report(Some(Difference {
                member: None,
                field: "build".into(),
                published: "an sdist".into(),
                rebuilt: format!("an error:\n{}", d.render()),
            })))
        }
    };
    Ok(report(diff_sdists(published.bytes, &rebuilt)))
}

fn rebuild_wheel(
    root: &Path,
    temp: &Path,
    profile: &Profile,
    zip: &ZipArchive<'_>,
    published: &[u8],
) -> Result<Report, Error> {
    let date_of = |i: usize| -> CivilTime {
        let (y, mo, d, h, mi, s) = zip.members[i].date_time();
        CivilTime {
            year: i64::from(y),
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: s,
        }
    };
    let wheel_index = zip
        .members
        .iter()
        .position(|m| m.name.ends_with(".dist-info/WHEEL"))
        .ok_or("the wheel has no WHEEL file")?;
    let wheel_date = date_of(wheel_index);
    let fixed = CivilTime::from_unix(crate::profile::FIXED_EPOCH);
    let (epoch, overrides, settings) = if wheel_date != fixed {
        let e = wheel_date.to_unix();
        (
            Some(e.to_string()),
            None,
            format!("SOURCE_DATE_EPOCH={e} (the WHEEL entry's date, as UTC)"),
        )
    } else {
        let map: BTreeMap<String, CivilTime> = (0..zip.members.len())
            .map(|i| (zip.members[i].name.clone(), date_of(i)))
            .collect();
        (
            None,
            Some(map),
            "SOURCE_DATE_EPOCH unset (each entry keeps its published date)".to_string(),
        )
    };
    let mut options =
        BuildOptions::with_epoch(profile.clone(), epoch.as_deref()).map_err(|d| d.render())?;
    options.zip_time_overrides = overrides;
    let report = |difference| Report {
        artifact: "wheel",
        file: String::new(),
        profile: profile.name.clone(),
        settings: settings.clone(),
        difference,
    };
    let metadata = zip
        .members
        .iter()
        .position(|m| m.name.ends_with(".dist-info/METADATA"))
        .and_then(|i| zip.read(i, 64 << 20).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let project = match load_project(root, profile, metadata.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            return Ok(report(Some(Difference {
                member: None,
                field: "build".into(),
                published: "a wheel".into(),
                rebuilt: e,
            })))
        }
    };
    let out = temp.join("wheel");
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let rebuilt = match crate::wheel::build(&project, &options, &out, None, false) {
        Ok(name) => fs::read(out.join(name)).map_err(|e| e.to_string())?,
        Err(d) => {
            return Ok(report(Some(Difference {
                member: None,
                field: "build".into(),
                published: "a wheel".into(),
                rebuilt: format!("an error:\n{}", d.render()),
            })))
        }
    };
    let mut difference = diff_wheels(published, &rebuilt);
    if let Some(d) = &mut difference {
        flat_license_hint(d, profile, root);
    }
    Ok(report(difference))
}

/// flit ≤ 3.10 copied top-level COPYING*/LICENSE* into wheels but not into sdists, so
/// such a wheel cannot be rebuilt from its sdist; say so rather than leave a puzzle.
fn flat_license_hint(d: &mut Difference, profile: &Profile, root: &Path) {
    if profile.license_layout != crate::profile::LicenseLayout::Flat {
        return;
    }
    let name = d.published.rsplit('/').next().unwrap_or("");
    let in_dist_info = d.published.contains(".dist-info/");
    if in_dist_info
        && (name.starts_with("COPYING") || name.starts_with("LICENSE"))
        && !root.join(name).exists()
    {
        d.published.push_str(&format!(
            " (not in the sdist: flit {} put top-level COPYING*/LICENSE* files in wheels only, so this wheel cannot be rebuilt from its sdist)",
            profile.flit_version().unwrap_or("<= 3.10")
        ));
    }
}

fn diff(
    member: Option<&str>,
    field: &str,
    published: String,
    rebuilt: String,
) -> Option<Difference> {
    Some(Difference {
        member: member.map(str::to_string),
        field: field.to_string(),
        published,
        rebuilt,
    })
}

/// Where two byte strings first differ, in words.
fn first_byte_difference(a: &[u8], b: &[u8]) -> Option<(usize, String, String)> {
    let show = |s: &[u8], i: usize| match s.get(i) {
        Some(c) => format!("0x{c:02x} {:?}", char::from(*c)),
        None => format!("end of data ({} bytes)", s.len()),
    };
    let i = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then_some(a.len().min(b.len())))?;
    Some((i, show(a, i), show(b, i)))
}

/// Line number and text of the first differing line, for text members.
fn first_line_difference(a: &[u8], b: &[u8]) -> Option<(usize, String, String)> {
    let (sa, sb) = (std::str::from_utf8(a).ok()?, std::str::from_utf8(b).ok()?);
    let la: Vec<&str> = sa.split_inclusive('\n').collect();
    let lb: Vec<&str> = sb.split_inclusive('\n').collect();
    let n = la.len().max(lb.len());
    (0..n).find(|&i| la.get(i) != lb.get(i)).map(|i| {
        let show = |l: Option<&&str>| l.map_or("(no line)".to_string(), |l| format!("{l:?}"));
        (i + 1, show(la.get(i)), show(lb.get(i)))
    })
}

fn content_difference(member: &str, a: &[u8], b: &[u8]) -> Option<Difference> {
    if let Some((line, pa, pb)) = first_line_difference(a, b) {
        return diff(Some(member), &format!("content, line {line}"), pa, pb);
    }
    let (i, pa, pb) = first_byte_difference(a, b)?;
    diff(Some(member), &format!("content, byte {i}"), pa, pb)
}

fn diff_wheels(published: &[u8], rebuilt: &[u8]) -> Option<Difference> {
    if published == rebuilt {
        return None;
    }
    let limits = ZipLimits::default();
    let (Ok(a), Ok(b)) = (
        ZipArchive::parse(published, &limits),
        ZipArchive::parse(rebuilt, &limits),
    ) else {
        return diff(
            None,
            "zip structure",
            "readable".into(),
            "unreadable".into(),
        );
    };
    for i in 0..a.members.len().max(b.members.len()) {
        let (ma, mb) = match (a.members.get(i), b.members.get(i)) {
            (Some(x), Some(y)) => (x, y),
            (Some(x), None) => {
                return diff(
                    Some(&x.name),
                    "member list",
                    format!("entry #{}", i + 1),
                    "absent (rebuilt wheel has fewer entries)".into(),
                )
            }
            (None, Some(y)) => {
                return diff(
                    Some(&y.name),
                    "member list",
                    "absent (published wheel has fewer entries)".into(),
                    format!("entry #{}", i + 1),
                )
            }
            (None, None) => break,
        };
        if ma.name != mb.name {
            return diff(
                None,
                &format!("entry #{} name", i + 1),
                ma.name.clone(),
                mb.name.clone(),
            );
        }
        let name = ma.name.as_str();
        let content = (a.read(i, LIMIT), b.read(i, LIMIT));
        if let (Ok(ca), Ok(cb)) = &content {
            if let Some(d) = content_difference(name, ca, cb) {
                return Some(d);
            }
        }
        let fields: [(&str, String, String); 7] = [
            (
                "date",
                format!("{:?}", ma.date_time()),
                format!("{:?}", mb.date_time()),
            ),
            (
                "unix mode",
                format!("{:o}", ma.external_attributes >> 16),
                format!("{:o}", mb.external_attributes >> 16),
            ),
            (
                "external attributes",
                format!("{:#010x}", ma.external_attributes),
                format!("{:#010x}", mb.external_attributes),
            ),
            (
                "flags",
                format!("{:#06x}", ma.flags),
                format!("{:#06x}", mb.flags),
            ),
            (
                "compression method",
                ma.method.to_string(),
                mb.method.to_string(),
            ),
            (
                "version made by / needed",
                format!("{}/{}", ma.version_made_by, ma.version_needed),
                format!("{}/{}", mb.version_made_by, mb.version_needed),
            ),
            (
                "extra field",
                format!("{:02x?}", ma.extra),
                format!("{:02x?}", mb.extra),
            ),
        ];
        for (field, pa, pb) in fields {
            if pa != pb {
                return diff(Some(name), field, pa, pb);
            }
        }
        let (da, db) = (&published[ma.data.clone()], &rebuilt[mb.data.clone()]);
        if da != db {
            let (i, pa, pb) = first_byte_difference(da, db).unwrap_or_default();
            return diff(
                Some(name),
                &format!("compressed data, byte {i} (same content: another deflate level or zlib)"),
                pa,
                pb,
            );
        }
        if ma.local != mb.local {
            return diff(
                Some(name),
                "local header",
                format!("{:?}", ma.local),
                format!("{:?}", mb.local),
            );
        }
    }
    let (i, pa, pb) = first_byte_difference(published, rebuilt)?;
    diff(
        None,
        &format!("zip directory, byte {i} of the file"),
        pa,
        pb,
    )
}

/// The ustar header field at `offset`.
fn tar_field(offset: usize) -> &'static str {
    match offset {
        0..=99 => "name field",
        100..=107 => "mode field",
        108..=115 => "uid field",
        116..=123 => "gid field",
        124..=135 => "size field",
        136..=147 => "mtime field",
        148..=155 => "checksum field",
        156 => "type flag",
        157..=256 => "link name field",
        257..=262 => "magic",
        263..=264 => "ustar version",
        265..=296 => "owner name field",
        297..=328 => "group name field",
        329..=336 => "devmajor field",
        337..=344 => "devminor field",
        345..=499 => "name prefix field",
        _ => "header padding",
    }
}

fn diff_sdists(published: &[u8], rebuilt: &[u8]) -> Option<Difference> {
    if published == rebuilt {
        return None;
    }
    let (Ok(ga), Ok(gb)) = (read_gzip(published, LIMIT), read_gzip(rebuilt, LIMIT)) else {
        return diff(None, "gzip", "readable".into(), "unreadable".into());
    };
    if ga.data != gb.data {
        let limits = TarLimits::default();
        let (Ok(a), Ok(b)) = (
            TarArchive::parse(&ga.data, &limits),
            TarArchive::parse(&gb.data, &limits),
        ) else {
            return diff(
                None,
                "tar structure",
                "readable".into(),
                "unreadable".into(),
            );
        };
        if let Some(d) = diff_tar_members(&a.members, &b.members) {
            return Some(d);
        }
        let (i, pa, pb) = first_byte_difference(&ga.data, &gb.data)?;
        return diff(None, &format!("tar end blocks, byte {i}"), pa, pb);
    }
    let (ha, hb) = (&ga.header, &gb.header);
    let fields: [(&str, String, String); 4] = [
        ("gzip mtime", ha.mtime.to_string(), hb.mtime.to_string()),
        (
            "gzip file name",
            format!("{:?}", ha.file_name_latin1()),
            format!("{:?}", hb.file_name_latin1()),
        ),
        (
            "gzip XFL (level hint)",
            ha.xfl.to_string(),
            hb.xfl.to_string(),
        ),
        ("gzip OS", ha.os.to_string(), hb.os.to_string()),
    ];
    for (field, pa, pb) in fields {
        if pa != pb {
            return diff(None, field, pa, pb);
        }
    }
    let level = |g: &crate::archive::read::gzip::GzipFile, bytes: &[u8]| {
        matching_level(&bytes[g.body.clone()], &g.data)
            .map_or("none of zlib's levels 0-9".to_string(), |l| {
                format!("level {l}")
            })
    };
    diff(
        None,
        "gzip compressed body (same tar)",
        level(&ga, published),
        level(&gb, rebuilt),
    )
}

fn diff_tar_members(a: &[TarMember<'_>], b: &[TarMember<'_>]) -> Option<Difference> {
    for i in 0..a.len().max(b.len()) {
        let (ma, mb) = match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => (x, y),
            (Some(x), None) => {
                return diff(
                    Some(&x.path),
                    "member list",
                    format!("member #{}", i + 1),
                    "absent (rebuilt sdist has fewer members)".into(),
                )
            }
            (None, Some(y)) => {
                return diff(
                    Some(&y.path),
                    "member list",
                    "absent (published sdist has fewer members)".into(),
                    format!("member #{}", i + 1),
                )
            }
            (None, None) => break,
        };
        if ma.path != mb.path {
            return diff(
                None,
                &format!("member #{} path", i + 1),
                ma.path.clone(),
                mb.path.clone(),
            );
        }
        let name = ma.path.as_str();
        if let Some(d) = content_difference(name, ma.data, mb.data) {
            return Some(d);
        }
        let pax = |m: &TarMember<'_>| -> String {
            m.pax
                .iter()
                .map(|r| format!("{}={}", r.key, String::from_utf8_lossy(&r.value)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        if pax(ma) != pax(mb) {
            return diff(Some(name), "PAX records", pax(ma), pax(mb));
        }
        if let Some((i, _, _)) = first_byte_difference(ma.raw_header, mb.raw_header) {
            let field = tar_field(i);
            let range = match field {
                "mtime field" => 136..148,
                "mode field" => 100..108,
                "devmajor field" => 329..337,
                "devminor field" => 337..345,
                "size field" => 124..136,
                _ => i..i + 1,
            };
            let show = |h: &[u8]| {
                format!(
                    "{:?}",
                    String::from_utf8_lossy(h.get(range.clone()).unwrap_or(&[]))
                )
            };
            return diff(Some(name), field, show(ma.raw_header), show(mb.raw_header));
        }
    }
    None
}

/// A private temporary folder, removed on drop.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> Result<TempDir, Error> {
        let base = std::env::temp_dir();
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for attempt in 0..100u32 {
            let path = base.join(format!(
                "forge-verify-{}-{nanos}-{attempt}",
                std::process::id()
            ));
            match fs::create_dir(&path) {
                Ok(()) => {
                    set_mode(&path, 0o700).map_err(|e| e.to_string())?;
                    return Ok(TempDir { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("cannot create a temporary folder: {e}")),
            }
        }
        Err("cannot create a temporary folder".into())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Human-readable result.
pub fn render_text(outcome: &Outcome) -> String {
    let (verdict, reports) = match outcome {
        Outcome::Identical(r) => ("identical", r),
        Outcome::Different(r) => ("DIFFERENT", r),
    };
    let mut out = String::new();
    for r in reports {
        let state = if r.difference.is_none() {
            "identical"
        } else {
            "DIFFERENT"
        };
        out.push_str(&format!(
            "{} {}: {state} (profile {}; {})\n",
            r.artifact, r.file, r.profile, r.settings
        ));
        if let Some(d) = &r.difference {
            let member = d
                .member
                .as_deref()
                .map_or(String::new(), |m| format!("member {m}: "));
            out.push_str(&format!(
                "  first difference: {member}{}\n    published: {}\n    rebuilt:   {}\n",
                d.field, d.published, d.rebuilt
            ));
        }
    }
    out.push_str(&format!("result: {verdict}\n"));
    out
}

/// Machine-readable result (one JSON object).
pub fn render_json(outcome: &Outcome) -> String {
    let (verdict, reports) = match outcome {
        Outcome::Identical(r) => ("identical", r),
        Outcome::Different(r) => ("different", r),
    };
    let items: Vec<String> = reports
        .iter()
        .map(|r| {
            let difference = match &r.difference {
                None => "null".to_string(),
                Some(d) => format!(
                    "{{\"member\":{},\"field\":{},\"published\":{},\"rebuilt\":{}}}",
                    d.member.as_deref().map_or("null".to_string(), json_string),
                    json_string(&d.field),
                    json_string(&d.published),
                    json_string(&d.rebuilt)
                ),
            };
            format!(
                "{{\"artifact\":{},\"file\":{},\"identical\":{},\"profile\":{},\"settings\":{},\"difference\":{difference}}}",
                json_string(r.artifact),
                json_string(&r.file),
                r.difference.is_none(),
                json_string(&r.profile),
                json_string(&r.settings)
            )
        })
        .collect();
    format!(
        "{{\"result\":\"{verdict}\",\"artifacts\":[{}]}}",
        items.join(",")
    )
}

pub fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_mtimes() {
        let t = |s| system_time(s).and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok());
        assert_eq!(
            t("1600000000.25"),
            Some(Duration::new(1_600_000_000, 250_000_000))
        );
        assert_eq!(t("1700000000"), Some(Duration::new(1_700_000_000, 0)));
        assert_eq!(t("1.0000000006"), Some(Duration::new(1, 1)));
        assert_eq!(t("x"), None);
    }

    #[test]
    fn civil_round_trip() {
        for secs in [0, 315_532_800, 1_451_606_400, 1_700_000_000, 4_354_819_198] {
            assert_eq!(CivilTime::from_unix(secs).to_unix(), secs);
        }
    }

    #[test]
    fn json_escapes() {
        assert_eq!(json_string("a\"b\\\n\u{1}"), "\"a\\\"b\\\\\\n\\u0001\"");
    }
}
