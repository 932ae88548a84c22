//! Writing a file under a temporary name beside its destination, and the renames that give
//! it its name.

use std::{
    fs::{self, File, OpenOptions},
    io,
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};

/// A file written under a temporary name beside where it is going, readable by its owner
/// only until told otherwise; removed if dropped before it is put in place.
pub(super) struct Partial {
    pub(super) path: PathBuf,
    placed: bool,
}

impl Partial {
    /// Creates it empty (`VACUUM INTO` accepts an empty file), under a name no one else uses.
    pub(super) fn beside(dest: &Path) -> anyhow::Result<Self> {
        let dir = dest
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = dest
            .file_name()
            .with_context(|| format!("{} is not a file name", dest.display()))?;
        let mut raw = [0u8; 6];
        getrandom::fill(&mut raw)?;
        let path = dir.join(format!(
            ".{}.partial-{}",
            name.to_string_lossy(),
            hex::encode(raw)
        ));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        Ok(Self {
            path,
            placed: false,
        })
    }

    pub(super) fn utf8(&self) -> anyhow::Result<&str> {
        self.path
            .to_str()
            .with_context(|| format!("{} is not valid UTF-8", self.path.display()))
    }

    /// Gives it the name `dest`, which must still be free: linked, so that a file that
    /// appeared there meanwhile is never replaced.
    pub(super) fn into_new(mut self, dest: &Path) -> anyhow::Result<()> {
        match fs::hard_link(&self.path, dest) {
            Ok(()) => remove_if_present(&self.path)?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                bail!("{} appeared meanwhile: not overwriting it", dest.display())
            }
            // A file system without hard links.
            Err(_) if !exists(dest)? => fs::rename(&self.path, dest)?,
            Err(e) => return Err(e.into()),
        }
        self.placed = true;
        sync_dir(dest).with_context(|| format!("syncing the directory of {}", dest.display()))
    }

    /// Gives it the name `dest`, replacing what is there.
    pub(super) fn into_place(mut self, dest: &Path) -> anyhow::Result<()> {
        fs::rename(&self.path, dest)?;
        self.placed = true;
        sync_dir(dest).with_context(|| format!("syncing the directory of {}", dest.display()))
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

pub(super) fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

pub(super) fn exists(path: &Path) -> io::Result<bool> {
    fs::symlink_metadata(path)
        .map(|_| true)
        .or_else(|e| match e.kind() {
            io::ErrorKind::NotFound => Ok(false),
            _ => Err(e),
        })
}

pub(super) fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Makes a rename in `file`'s directory durable (on Unix a directory can be synced).
fn sync_dir(file: &Path) -> io::Result<()> {
    #[cfg(unix)]
    if let Some(dir) = file.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}
