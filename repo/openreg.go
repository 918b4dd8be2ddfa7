package repo

import "os"

// openRegular opens the file at path for reading, refusing what is not a
// regular file: a named pipe put in the git folder (in place of a loose
// object, a pack, packed-refs, shallow) would make a plain open wait for
// a writer forever. Where the system has it, the open does not block
// (openFlags), and the file is refused before anything is read. The
// file's stat, taken to tell, is returned with it.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = &os.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}
