//! TEMPORARY STUB (replaced by the knowledge branch).
#![allow(dead_code, unused_variables)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date { pub year: u16, pub month: u8, pub day: u8 }
impl Date {
    pub fn parse(s: &str) -> Option<Date> { let mut p = s.split('-'); Some(Date{year:p.next()?.parse().ok()?, month:p.next()?.parse().ok()?, day:p.next()?.parse().ok()?}) }
    pub fn from_unix_days(d: i64) -> Date { Date{year:2026,month:11,day:27} }
}
impl std::fmt::Display for Date { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day) } }
pub fn as_of() -> Date { Date{year:2026,month:11,day:27} }
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family { Alpine, Busybox, Debian, Rhel, Suse, Wolfi, Distroless, Scratch, Windows, Unknown }
impl Family { pub fn name(self) -> &'static str { "x" } }
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User { pub name: String, pub uid: u32, pub gid: u32 }
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageName { pub registry: String, pub path: String, pub short: String }
pub fn normalize(name: &str) -> ImageName { ImageName{registry:"docker.io".into(), path: format!("library/{name}"), short: name.into()} }
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle { pub name: String, pub eol: Option<Date>, pub lts: bool }
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image { pub name: ImageName, pub official: bool, pub verified_publisher: bool, pub family: Family, pub variant: String, pub cycle: Option<Cycle>, pub users: Vec<User>, pub default_user: Option<User>, pub deprecated: Option<String> }
pub fn lookup(name: &str, tag: Option<&str>) -> Option<Image> { None }
pub fn is_eol(image: &Image, today: Date) -> Option<Date> { None }
pub fn recommended_tag(image: &Image, today: Date) -> Option<String> { None }
pub fn oldest_supported_tag(image: &Image, today: Date) -> Option<String> { None }
pub fn slim_variant_tag(image: &Image) -> Option<String> { None }
pub fn is_verified_publisher(namespace: &str) -> bool { false }
pub fn distro_of_package_manager(command: &str) -> Option<Family> { None }
